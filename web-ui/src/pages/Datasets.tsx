import { useState } from 'react';
import { fmtBytes, fmtNum, uploadResumable } from '../api';
import { Badge, DeleteButton, ErrorBox, usePoll, useApi, when } from '../components/common';
import { PagedTable, usePagedList, type Column } from '../components/PagedTable';
import { UploadCard } from '../components/UploadCard';
import { setQuery, useLocation } from '../router';
import type { Dataset, Model, PageOf } from '../types';

export function Datasets() {
  const { query } = useLocation();
  const open = query.get('id');
  const list = usePagedList<Dataset>('/v1/datasets?limit=20', (d) => d.status === 'validating');
  const [error, setError] = useState<unknown>(null);

  async function upload(files: File[], values: Record<string, string>, onProgress: (s: number, t: number) => void) {
    const done = await uploadResumable(files[0], { purpose: 'dataset', ...values }, onProgress);
    setQuery({ id: done.result_id, cursor: null });
    list.reload();
  }

  const columns: Column<Dataset>[] = [
    {
      header: 'Name',
      cell: (d) => (
        <button className="link" onClick={() => setQuery({ id: open === d.id ? null : d.id })} aria-expanded={open === d.id}>
          {d.name}
        </button>
      ),
    },
    { header: 'Status', cell: (d) => <Badge status={d.status} /> },
    { header: 'Format', cell: (d) => d.format },
    { header: 'Rows (valid / invalid)', cell: (d) => (d.report ? `${fmtNum(d.report.valid_examples)} / ${fmtNum(d.report.invalid_rows)}` : '—') },
    { header: 'Size', cell: (d) => fmtBytes(d.size) },
    { header: 'Created', cell: (d) => when(d.created_at) },
    {
      header: '',
      cell: (d) => <DeleteButton what={`dataset ${d.name}`} path={`/v1/datasets/${d.id}`} onDeleted={list.reload} onError={setError} />,
    },
  ];

  return (
    <section>
      <h1>Datasets</h1>
      <UploadCard
        title="upload a dataset"
        fields={[
          { name: 'name', label: 'Name' },
          { name: 'text_field', label: 'Text field', placeholder: 'text' },
          { name: 'label_field', label: 'Label field', placeholder: 'label' },
        ]}
        fileLabel="File (.jsonl, .csv, or .zip of label/image) — resumable"
        fileTestId="dataset-file"
        submitLabel="Upload dataset"
        upload={upload}
      />
      <ErrorBox error={error} />
      <PagedTable list={list} columns={columns} rowTestId="dataset-row" selected={open} />
      {open && <DatasetReportView id={open} />}
    </section>
  );
}

function DatasetReportView({ id }: { id: string }) {
  const ds = useApi<Dataset>(`/v1/datasets/${id}`);
  usePoll(ds.data?.status === 'validating', ds.reload);
  const models = useApi<PageOf<Model>>('/v1/models?status=ready&limit=100');
  const [model, setModel] = useState('');
  const lengths = useApi<{ p50: number; p90: number; p99: number; max: number; truncated: number; examples: number; max_seq_len: number }>(
    model ? `/v1/datasets/${id}/token-lengths?model_id=${model}` : null,
  );
  const d = ds.data;
  if (!d) return <ErrorBox error={ds.error} />;
  const r = d.report;
  const dist = Object.entries(r?.label_distribution ?? {}).sort((a, b) => b[1] - a[1]);
  const top = dist.length ? dist[0][1] : 1;
  return (
    <article className="card" aria-label={`report of ${d.name}`} data-testid="dataset-report">
      <h2>
        {d.name} <Badge status={d.status} />
      </h2>
      {r && (
        <>
          <p>
            {fmtNum(r.rows)} rows, {fmtNum(r.valid_examples)} valid, {fmtNum(r.invalid_rows)} invalid; labels: {r.label_type ?? '—'}
          </p>
          <h3>Label distribution</h3>
          <div className="bars">
            {dist.map(([label, n]) => (
              <div key={label} className="bar-row">
                <span className="bar-label">{label}</span>
                <meter min={0} max={top} value={n} aria-label={label} />
                <span>{fmtNum(n)}</span>
              </div>
            ))}
          </div>
          {r.issue_count > 0 && (
            <>
              <h3>
                Errors ({fmtNum(r.issue_count)}
                {r.issue_count > r.issues.length ? `, first ${r.issues.length} shown` : ''})
              </h3>
              <ul className="errors">
                {r.issues.map((e, i) => (
                  <li key={i}>
                    <b>{e.line > 0 ? `line ${e.line}` : e.field}</b> <code>{e.code}</code> {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {d.format !== 'imagefolder' && d.status === 'ready' && (
        <>
          <h3>Token lengths</h3>
          <label>
            Under the tokenizer of{' '}
            <select value={model} onChange={(e) => setModel(e.target.value)}>
              <option value="">choose a model…</option>
              {models.data?.items.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          <ErrorBox error={lengths.error} />
          {model && lengths.data && (
            <div className="bars">
              {(['p50', 'p90', 'p99', 'max'] as const).map((k) => (
                <div key={k} className="bar-row">
                  <span className="bar-label">{k}</span>
                  <meter min={0} max={Math.max(lengths.data!.max, 1)} value={lengths.data![k]} aria-label={k} />
                  <span>{lengths.data![k]} tokens</span>
                </div>
              ))}
              <p className="muted">
                {fmtNum(lengths.data.truncated)} of {fmtNum(lengths.data.examples)} examples are longer than max_seq_len {lengths.data.max_seq_len}.
              </p>
            </div>
          )}
        </>
      )}
    </article>
  );
}
