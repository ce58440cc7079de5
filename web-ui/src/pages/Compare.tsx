import { useEffect, useState } from 'react';
import { api } from '../api';
import { Chart, color } from '../components/Chart';
import { align } from '../metrics';
import { ErrorBox, useApi } from '../components/common';
import { onLink, setQuery, useLocation } from '../router';
import type { Job, Metric, PageOf } from '../types';

interface Run {
  job: Job;
  steps: number[];
  loss: (number | null)[];
  evalSteps: number[];
  evalLoss: (number | null)[];
}

async function loadRun(id: string): Promise<Run> {
  const job = await api<Job>(`/v1/jobs/${id}`);
  const run: Run = { job, steps: [], loss: [], evalSteps: [], evalLoss: [] };
  let after = 0;
  for (;;) {
    const page = await api<{ items: Metric[]; next_after: number | null }>(`/v1/jobs/${id}/metrics?after=${after}&limit=1000`);
    for (const m of page.items) {
      if (m.split === 'train') {
        run.steps.push(m.step);
        run.loss.push(m.loss);
      } else {
        run.evalSteps.push(m.step);
        run.evalLoss.push(m.loss ?? null);
      }
    }
    if (page.items.length < 1000) return run;
    after = page.items[page.items.length - 1].id;
  }
}

/** Flattens a config to dotted paths ("slicefine.rank": 4) for the side-by-side table. */
export function flatten(o: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = Array.isArray(o) ? o.join(', ') : String(o);
  }
  return out;
}

export function Compare() {
  const { query } = useLocation();
  const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
  const jobs = useApi<PageOf<Job>>('/v1/jobs?limit=50');
  const [runs, setRuns] = useState<Run[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [onlyDiff, setOnlyDiff] = useState(true);
  const key = ids.join(',');
  useEffect(() => {
    Promise.all(ids.map(loadRun)).then(setRuns, setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const toggle = (id: string) => setQuery({ ids: (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]).join(',') || null });
  const label = (j: Job) => `${j.name ?? j.id.slice(0, 8)} (${j.config?.method})`;
  const flat = runs.map((r) => flatten(r.job.config));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const shown = onlyDiff && runs.length > 1 ? paths.filter((p) => new Set(flat.map((f) => f[p])).size > 1) : paths;
  const lossData = align(runs.map((r) => ({ steps: r.steps, values: r.loss })));
  const hasEval = runs.some((r) => r.evalSteps.length);

  return (
    <section>
      <h1>Compare runs</h1>
      <fieldset className="card pick">
        <legend>Runs (newest 50)</legend>
        {jobs.data?.items.map((j) => (
          <label key={j.id}>
            <input type="checkbox" checked={ids.includes(j.id)} onChange={() => toggle(j.id)} /> {label(j)} <span className="muted">{j.status}</span>
          </label>
        ))}
      </fieldset>
      <ErrorBox error={error ?? jobs.error} />
      {runs.length > 0 && (
        <>
          <div className="charts">
            <Chart title="Training loss" series={runs.map((r, i) => ({ label: label(r.job), color: color(i) }))} data={() => lossData} version={runs.length} />
            {hasEval && (
              <Chart
                title="Evaluation loss"
                series={runs.map((r, i) => ({ label: label(r.job), color: color(i) }))}
                data={() => align(runs.map((r) => ({ steps: r.evalSteps, values: r.evalLoss })))}
                version={runs.length}
              />
            )}
          </div>
          <label>
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only settings that differ
          </label>
          <div className="table-wrap">
            <table className="compare">
              <thead>
                <tr>
                  <th>setting</th>
                  {runs.map((r) => (
                    <th key={r.job.id}>
                      <a href={`/jobs/${r.job.id}`} onClick={onLink}>
                        {label(r.job)}
                      </a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p}>
                    <td>
                      <code>{p}</code>
                    </td>
                    {flat.map((f, i) => (
                      <td key={i}>{f[p] ?? '—'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
