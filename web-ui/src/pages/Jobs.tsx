import { fmtDuration, fmtNum } from '../api';
import { Badge, ProgressBar, useApi, when } from '../components/common';
import { PagedTable, usePagedList, type Column } from '../components/PagedTable';
import { onLink, setQuery, useLocation } from '../router';
import { TERMINAL, type Dataset, type Job, type Model, type PageOf } from '../types';

const STATUSES = ['validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function Jobs() {
  const { query } = useLocation();
  const status = query.get('status') ?? '';
  const model = query.get('model_id') ?? '';
  const dataset = query.get('dataset_id') ?? '';
  const q = new URLSearchParams({ limit: '20' });
  if (status) q.set('status', status);
  if (model) q.set('model_id', model);
  if (dataset) q.set('dataset_id', dataset);
  const list = usePagedList<Job>(`/v1/jobs?${q}`, (j) => !TERMINAL.includes(j.status), 2000);
  const models = useApi<PageOf<Model>>('/v1/models?limit=100');
  const datasets = useApi<PageOf<Dataset>>('/v1/datasets?limit=100');
  const modelName = new Map(models.data?.items.map((m) => [m.id, m.name]));
  const datasetName = new Map(datasets.data?.items.map((d) => [d.id, d.name]));

  const columns: Column<Job>[] = [
    {
      header: 'Run',
      cell: (j) => (
        <a href={`/jobs/${j.id}`} onClick={onLink}>
          {j.name ?? j.id.slice(0, 8)}
        </a>
      ),
    },
    {
      header: 'Status',
      cell: (j) => (
        <>
          <Badge status={j.status} />
          {j.cancel_requested && !TERMINAL.includes(j.status) && <span className="muted"> cancelling</span>}
        </>
      ),
    },
    { header: 'Method', cell: (j) => j.config?.method },
    {
      header: 'Model / dataset',
      cell: (j) => `${modelName.get(j.model_id) ?? j.model_id.slice(0, 8)} / ${datasetName.get(j.dataset_id) ?? j.dataset_id.slice(0, 8)}`,
    },
    {
      header: 'Progress',
      cell: (j) => (
        <>
          <ProgressBar value={j.progress.step} max={j.progress.total_steps ?? 0} label={`progress of ${j.name ?? j.id}`} />
          <span className="muted">
            {j.progress.step}/{j.progress.total_steps ?? '?'}
          </span>
        </>
      ),
    },
    { header: 'ETA', cell: (j) => (j.status === 'running' ? fmtDuration(j.eta_seconds) : '—') },
    { header: 'Latest loss', cell: (j) => fmtNum(j.latest_metrics?.loss) },
    { header: 'Created', cell: (j) => when(j.created_at) },
  ];

  return (
    <section>
      <h1>Jobs</h1>
      <div className="filters" role="group" aria-label="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setQuery({ status: e.target.value, cursor: null })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select value={model} onChange={(e) => setQuery({ model_id: e.target.value, cursor: null })}>
            <option value="">any</option>
            {models.data?.items.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dataset
          <select value={dataset} onChange={(e) => setQuery({ dataset_id: e.target.value, cursor: null })}>
            <option value="">any</option>
            {datasets.data?.items.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <a className="button" href="/launch" onClick={onLink}>
          New run
        </a>
      </div>
      <PagedTable list={list} columns={columns} rowTestId="job-row" />
    </section>
  );
}
