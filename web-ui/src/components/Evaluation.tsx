import { useEffect, useState } from 'react';
import { api, fmtNum, post } from '../api';
import { TERMINAL, type Dataset, type Evaluation, type EvaluationMetrics, type Job, type PageOf } from '../types';
import { Badge, ErrorBox, useApi } from './common';

/**
 * A job's evaluations (newest first, the API's job_id filter) with the metrics
 * of the chosen one, and a form to evaluate the job's result on a dataset. The chosen evaluation is in the URL
 * (?evaluation=) through `selected` / `onSelect`.
 */
export function EvaluationPanel({ job, selected, onSelect }: { job: Job; selected: string | null; onSelect: (id: string | null) => void }) {
  const [list, setList] = useState<Evaluation[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const datasets = useApi<PageOf<Dataset>>('/v1/datasets?status=ready&limit=100');
  const [dataset, setDataset] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api<PageOf<Evaluation>>(`/v1/evaluations?job_id=${encodeURIComponent(job.id)}&limit=100`)
      .then((p) => live && setList(p.items))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [job.id, tick]);
  const current = list.find((e) => e.id === selected) ?? list[0] ?? null;
  const running = !!current && !TERMINAL.includes(current.status);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((x) => x + 1), 1500);
    return () => clearInterval(t);
  }, [running]);

  async function evaluate(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await post<Evaluation>('/v1/evaluations', { job_id: job.id, dataset_id: dataset || job.eval_dataset_id || job.dataset_id });
      onSelect(created.id);
      setTick((x) => x + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const datasetName = (id: string) => datasets.data?.items.find((d) => d.id === id)?.name ?? id.slice(0, 8);
  return (
    <div className="evaluation" data-testid="evaluation">
      {job.status === 'succeeded' ? (
        <form className="inline-form" onSubmit={evaluate} aria-label="evaluate this run">
          <label>
            Dataset{' '}
            <select value={dataset} onChange={(e) => setDataset(e.target.value)} data-testid="evaluate-dataset">
              <option value="">{job.eval_dataset_id ? 'the run’s eval dataset' : 'the training dataset'}</option>
              {datasets.data?.items.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Evaluate
          </button>
        </form>
      ) : (
        <p className="muted">A run can be evaluated once it has succeeded.</p>
      )}
      <ErrorBox error={error} />
      {list.length > 1 && (
        <label>
          Evaluation{' '}
          <select value={current?.id ?? ''} onChange={(e) => onSelect(e.target.value)}>
            {list.map((e) => (
              <option key={e.id} value={e.id}>
                {datasetName(e.dataset_id)}, {new Date(e.created_at).toLocaleString()} ({e.status})
              </option>
            ))}
          </select>
        </label>
      )}
      {current && (
        <div data-testid="evaluation-current" data-status={current.status}>
          <p>
            On <b>{datasetName(current.dataset_id)}</b> <Badge status={current.status} />
          </p>
          {current.error && (
            <p className="error">
              {current.error.code}: {current.error.message}
            </p>
          )}
          {current.metrics && <MetricsView metrics={current.metrics} />}
        </div>
      )}
    </div>
  );
}

/** Classification: headline numbers, the per-label table and the confusion matrix; causal LM: loss and perplexity. */
export function MetricsView({ metrics }: { metrics: EvaluationMetrics }) {
  const headline: [string, number | null | undefined][] =
    metrics.task === 'causal-lm'
      ? [
          ['Mean loss', metrics.mean_loss],
          ['Perplexity', metrics.perplexity],
          ['Exact match', metrics.exact_match],
        ]
      : [
          ['Accuracy', metrics.accuracy],
          ['Macro F1', metrics.macro_f1],
          ['Weighted F1', metrics.weighted_f1],
          ['Mean loss', metrics.mean_loss],
        ];
  return (
    <>
      <dl className="facts" data-testid="evaluation-metrics">
        {headline.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{fmtNum(v)}</dd>
          </div>
        ))}
        <div>
          <dt>Examples</dt>
          <dd>{fmtNum(metrics.examples)}</dd>
        </div>
      </dl>
      {!!metrics.unknown_label_count && (
        <p className="warn">
          {fmtNum(metrics.unknown_label_count)} examples have a label the model does not know (counted, not scored).
        </p>
      )}
      {metrics.per_label && metrics.per_label.length > 0 && (
        <div className="table-wrap">
          <table data-testid="per-label">
            <thead>
              <tr>
                <th>Label</th>
                <th>Precision</th>
                <th>Recall</th>
                <th>F1</th>
                <th>Support</th>
              </tr>
            </thead>
            <tbody>
              {metrics.per_label.map((l) => (
                <tr key={l.label}>
                  <td>{l.label}</td>
                  <td>{fmtNum(l.precision, 3)}</td>
                  <td>{fmtNum(l.recall, 3)}</td>
                  <td>{fmtNum(l.f1, 3)}</td>
                  <td>{fmtNum(l.support)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {metrics.confusion_matrix && <ConfusionMatrix labels={metrics.confusion_matrix.labels} rows={metrics.confusion_matrix.rows} />}
    </>
  );
}

/** Rows are the gold labels, columns the predictions; a cell's shade is its share of its row. */
export function ConfusionMatrix({ labels, rows }: { labels: string[]; rows: number[][] }) {
  return (
    <div className="table-wrap">
      <table className="confusion" data-testid="confusion-matrix" aria-label="confusion matrix (rows: gold label, columns: predicted)">
        <thead>
          <tr>
            <th scope="col">gold \ predicted</th>
            {labels.map((l) => (
              <th key={l} scope="col">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={labels[i]}>
                <th scope="row">{labels[i]}</th>
                {row.map((n, j) => (
                  <td
                    key={j}
                    className={i === j ? 'diag' : n ? 'off' : undefined}
                    style={{ '--share': (n / total).toFixed(3) } as React.CSSProperties}
                    title={`${n} of ${total} examples labelled ${labels[i]} were predicted ${labels[j]}`}
                  >
                    {n}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
