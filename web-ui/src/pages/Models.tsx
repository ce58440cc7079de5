import { useState } from 'react';
import { del, fmtBytes, fmtNum, uploadMultipart, uploadResumable } from '../api';
import { Badge, ErrorBox, Pager, ProgressBar, usePoll, useApi, when } from '../components/common';
import { setQuery, useLocation } from '../router';
import type { Model, PageOf } from '../types';

const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;

export function Models() {
  const { query } = useLocation();
  const cursor = query.get('cursor');
  const list = useApi<PageOf<Model>>(`/v1/models?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  usePoll(!!list.data?.items.some((m) => m.status === 'validating'), list.reload);
  const [name, setName] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<[number, number] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function upload(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setProgress([0, 1]);
    try {
      if (files.length === 1 && ARCHIVE.test(files[0].name)) {
        // one archive of the folder: resumable (large checkpoints survive a dropped connection)
        await uploadResumable(files[0], { purpose: 'model', name: name || undefined }, (s, t) => setProgress([s, t]));
      } else {
        const form = new FormData();
        if (name) form.append('name', name);
        for (const f of files) form.append('file', f, f.name);
        await uploadMultipart('/v1/models', form, (s, t) => setProgress([s, t]));
      }
      setFiles([]);
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  return (
    <section>
      <h1>Models</h1>
      <form className="card upload" onSubmit={upload} aria-label="upload a model">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="bert-base-uncased" />
        </label>
        <label>
          Files (config.json, *.safetensors, tokenizer files) or one .zip/.tar.gz of the folder
          <input type="file" multiple data-testid="model-files" onChange={(e) => setFiles([...(e.target.files ?? [])])} />
        </label>
        <button type="submit" disabled={!files.length || !!progress}>
          Upload model
        </button>
        {progress && <ProgressBar value={progress[0]} max={progress[1]} label="model upload" />}
        <ErrorBox error={error} />
      </form>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Family / head</th>
              <th>Parameters</th>
              <th>Size</th>
              <th>Report</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((m) => (
              <tr key={m.id} data-testid="model-row">
                <td>{m.name}</td>
                <td>
                  <Badge status={m.status} />
                </td>
                <td>
                  {m.report?.family ?? '—'} {m.report?.head ? `/ ${m.report.head}` : ''}
                </td>
                <td>{fmtNum(m.report?.parameter_count)}</td>
                <td>{fmtBytes(m.total_size)}</td>
                <td className="report">
                  {m.report?.tokenizer_present === false && <div className="warn">no tokenizer</div>}
                  {m.report?.problems?.map((p) => (
                    <div key={p} className="error">
                      {p}
                    </div>
                  ))}
                  {m.report?.warnings?.map((p) => (
                    <div key={p} className="warn">
                      {p}
                    </div>
                  ))}
                </td>
                <td>{when(m.created_at)}</td>
                <td>
                  <button
                    className="danger"
                    onClick={async () => {
                      if (!confirm(`Delete model ${m.name}?`)) return;
                      try {
                        await del(`/v1/models/${m.id}`);
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
    </section>
  );
}
