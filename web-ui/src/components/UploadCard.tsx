import { useState } from 'react';
import { ErrorBox, ProgressBar } from './common';

export interface UploadField {
  name: string;
  label: string;
  placeholder?: string;
}

/**
 * The upload form of every page that takes files (models, datasets): optional text fields, a file input, a progress
 * bar fed by `upload`'s callback, and the server's problem shown under it. `upload` does the transfer (multipart or
 * resumable); the card owns the form state.
 */
export function UploadCard({
  title,
  fields = [],
  fileLabel,
  multiple = false,
  fileTestId,
  submitLabel,
  upload,
}: {
  title: string;
  fields?: UploadField[];
  fileLabel: string;
  multiple?: boolean;
  fileTestId?: string;
  submitLabel: string;
  upload: (files: File[], values: Record<string, string>, onProgress: (sent: number, total: number) => void) => Promise<void>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<[number, number] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [inputKey, setInputKey] = useState(0);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!files.length) return;
    setError(null);
    setProgress([0, files.reduce((n, f) => n + f.size, 0) || 1]);
    try {
      const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim()));
      await upload(files, filled, (s, t) => setProgress([s, t]));
      setFiles([]);
      setValues({});
      setInputKey((k) => k + 1);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  return (
    <form className="card upload" onSubmit={submit} aria-label={title}>
      {fields.map((f) => (
        <label key={f.name}>
          {f.label}{' '}
          <input value={values[f.name] ?? ''} placeholder={f.placeholder} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
        </label>
      ))}
      <label>
        {fileLabel}
        <input key={inputKey} type="file" multiple={multiple} data-testid={fileTestId} onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      </label>
      <button type="submit" disabled={!files.length || !!progress}>
        {submitLabel}
      </button>
      {progress && <ProgressBar value={progress[0]} max={progress[1]} label={title} />}
      <ErrorBox error={error} />
    </form>
  );
}
