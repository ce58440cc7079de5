import { useState } from 'react';
import { del, fmtBytes, fmtNum, uploadResumable } from '../api';
import { Badge, ErrorBox, Pager, ProgressBar, usePoll, useApi, when } from '../components/common';
import { setQuery, useLocation } from '../router';
import type { Dataset, Model, PageOf } from '../types';

export function Datasets() {
  const { query } = useLocation();
  const cursor = query.get('cursor');
  const open = query.get('id');
  const list = useApi<PageOf<Dataset>>(`/v1/datasets?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  usePoll(!!list.data?.items.some((d) => d.status === 'validating'), list.reload);
  const [file, setFile] = useState<File | null>(null);
  const [meta, setMeta] = useState({ name: '', text_field: '', label_field: '' });
  const [progress, setProgress] = useState<[number, number] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function upload(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setProgress([0, file.size]);
    try {
      const body: Record<string, unknown> = { purpose: 'dataset' };
      for (const [k, v] of Object.entries(meta)) if (v) body[k] = v;
      const done = await uploadResumable(file, body, (s, t) => setProgress([s, t]));
      setFile(null);
      setQuery({ id: done.result_id, cursor: null });
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  return (
    <section>
      <h1>Datasets</h1>
      <form className="card upload" onSubmit={upload} aria-label="upload a dataset">
        <label>
          Name <input value={meta.name} onChange={(e) => setMeta({ ...meta, name: e.target.value })} />
        </label>
        <label>
          Text field <input value={meta.text_field} placeholder="text" onChange={(e) => setMeta({ ...meta, text_field: e.target.value })} />
        </label>
        <label>
          Label field <input value={meta.label_field} placeholder="label" onChange={(e) => setMeta({ ...meta, label_field: e.target.value })} />
        </label>
        <label>
          File (.jsonl, .csv, or .zip of label/image) — resumable
          <input type="file" data-testid="dataset-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={!file || !!progress}>
          Upload dataset
        </button>
        {progress && <ProgressBar value={progress[0]} max={progress[1]} label="dataset upload" />}
        <ErrorBox error={error} />
      </form>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Format</th>
              <th>Rows (valid / invalid)</th>
              <th>Size</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((d) => (
              <tr key={d.id} data-testid="dataset-row" aria-selected={open === d.id}>
                <td>
                  <button className="link" onClick={() => setQuery({ id: open === d.id ? null : d.id })} aria-expanded={open === d.id}>
                    {d.name}
                  </button>
                </td>
                <td>
                  <Badge status={d.status} />
                </td>
                <td>{d.format}</td>
                <td>{d.report ? `${fmtNum(d.report.valid_examples)} / ${fmtNum(d.report.invalid_rows)}` : '—'}</td>
                <td>{fmtBytes(d.size)}</td>
                <td>{when(d.created_at)}</td>
                <td>
                  <button
                    className="danger"
                    onClick={async () => {
                      if (!confirm(`Delete dataset ${d.name}?`)) return;
                      try {
                        await del(`/v1/datasets/${d.id}`);
                        list.reload();
                      } catch (err) {
                        setError(err);
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={list.data} cursor={cursor} onCursor={(c) => setQuery({ cursor: c })} />
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
