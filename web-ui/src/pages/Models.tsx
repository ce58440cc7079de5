import { useState } from 'react';
import { fmtBytes, fmtNum, uploadMultipart, uploadResumable } from '../api';
import { Badge, DeleteButton, ErrorBox, when } from '../components/common';
import { PagedTable, usePagedList, type Column } from '../components/PagedTable';
import { UploadCard } from '../components/UploadCard';
import type { Model } from '../types';

const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;

export function Models() {
  const list = usePagedList<Model>('/v1/models?limit=20', (m) => m.status === 'validating');
  const [error, setError] = useState<unknown>(null);

  async function upload(files: File[], values: Record<string, string>, onProgress: (s: number, t: number) => void) {
    if (files.length === 1 && ARCHIVE.test(files[0].name)) {
      // one archive of the folder: resumable (large checkpoints survive a dropped connection)
      await uploadResumable(files[0], { purpose: 'model', name: values.name }, onProgress);
    } else {
      const form = new FormData();
      if (values.name) form.append('name', values.name);
      for (const f of files) form.append('file', f, f.name);
      await uploadMultipart('/v1/models', form, onProgress);
    }
    list.reload();
  }

  const columns: Column<Model>[] = [
    { header: 'Name', cell: (m) => m.name },
    { header: 'Status', cell: (m) => <Badge status={m.status} /> },
    { header: 'Family / head', cell: (m) => `${m.report?.family ?? '—'} ${m.report?.head ? `/ ${m.report.head}` : ''}` },
    { header: 'Parameters', cell: (m) => fmtNum(m.report?.parameter_count) },
    { header: 'Size', cell: (m) => fmtBytes(m.total_size) },
    {
      header: 'Report',
      className: 'report',
      cell: (m) => (
        <>
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
        </>
      ),
    },
    { header: 'Created', cell: (m) => when(m.created_at) },
    {
      header: '',
      cell: (m) => <DeleteButton what={`model ${m.name}`} path={`/v1/models/${m.id}`} onDeleted={list.reload} onError={setError} />,
    },
  ];

  return (
    <section>
      <h1>Models</h1>
      <UploadCard
        title="upload a model"
        fields={[{ name: 'name', label: 'Name', placeholder: 'bert-base-uncased' }]}
        fileLabel="Files (config.json, *.safetensors, tokenizer files) or one .zip/.tar.gz of the folder"
        multiple
        fileTestId="model-files"
        submitLabel="Upload model"
        upload={upload}
      />
      <ErrorBox error={error} />
      <PagedTable list={list} columns={columns} rowTestId="model-row" />
    </section>
  );
}
