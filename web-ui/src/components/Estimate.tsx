import { fmtBytes, fmtNum } from '../api';
import type { JobEstimate } from '../knobs';

/** The engine's estimate of a run before it is submitted: what trains, how long, how big the result is. */
export function EstimateCard({ estimate, pending }: { estimate: JobEstimate | null; pending: boolean }) {
  if (!estimate) return <p className="muted">{pending ? 'Estimating…' : 'Choose a model and a dataset to see what the run would train.'}</p>;
  const pct = estimate.trainable_fraction * 100;
  return (
    <div className="estimate" data-testid="estimate" aria-busy={pending}>
      <dl className="facts">
        <div>
          <dt>Trainable parameters</dt>
          <dd data-testid="estimate-trainable">
            {fmtNum(estimate.trainable_params)} <span className="muted">({pct < 0.01 ? pct.toExponential(1) : pct.toFixed(2)} % of {fmtNum(estimate.total_params)})</span>
          </dd>
        </div>
        <div>
          <dt>Expected result size</dt>
          <dd data-testid="estimate-diff">{fmtBytes(estimate.diff_bytes)}</dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>{fmtNum(estimate.total_steps)}</dd>
        </div>
        <div>
          <dt>Target layers</dt>
          <dd>{estimate.target_layers.length || '—'}</dd>
        </div>
      </dl>
      {estimate.target_layers.length > 0 && (
        <details>
          <summary>Per layer</summary>
          <table>
            <thead>
              <tr>
                <th>Layer</th>
                <th>Shape</th>
                <th>Mode</th>
                <th>Rank</th>
                <th>Trainable</th>
              </tr>
            </thead>
            <tbody>
              {estimate.target_layers.map((l) => (
                <tr key={l.layer}>
                  <td>
                    <code>{l.layer}</code>
                  </td>
                  <td>{l.shape.join(' × ')}</td>
                  <td>{l.mode}</td>
                  <td>{l.rank}</td>
                  <td>{fmtNum(l.trainable)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      <p className="muted">
        Result size: the tensor payload of the {estimate.method === 'lora' ? 'adapter' : estimate.method === 'full' ? 'checkpoint' : 'slice diff'}; early stopping or
        rank decay can only make it smaller.
      </p>
    </div>
  );
}
