import { useState } from 'react';
import { api, fmtNum, post } from '../api';
import { ErrorBox } from './common';

interface Classified {
  task: string;
  predictions: { label: string; score: number; probabilities: Record<string, number> }[];
}
interface Completion {
  task: string;
  completion: string;
  finish_reason: string;
  prompt_tokens: number;
  tokens_per_second: number;
}

/**
 * Try a run's result: a text (or, for an image classifier, an image) -> its label with every label's probability, or a
 * prompt -> its completion.
 */
export function TryIt({ jobId, task }: { jobId: string; task: string }) {
  const lm = task === 'causal-lm';
  const image = task === 'image-classification';
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [maxTokens, setMaxTokens] = useState('32');
  const [result, setResult] = useState<Classified | Completion | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const path = `/v1/jobs/${jobId}/predictions`;
      if (image) {
        const form = new FormData(); // multipart parts named images; the browser sets the boundary
        if (file) form.append('images', file, file.name);
        setResult(await api<Classified>(path, { method: 'POST', body: form }));
      } else {
        const body = lm ? { prompt: text, max_new_tokens: Number(maxTokens) || 32, temperature: 0 } : { inputs: [text] };
        setResult(await post<Classified | Completion>(path, body));
      }
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const prediction = result && 'predictions' in result ? result.predictions[0] : null;
  const completion = result && 'completion' in result ? result : null;
  return (
    <form className="try-it" onSubmit={run} aria-label="try the model" data-testid="try-it">
      {image ? (
        <label>
          Image
          <input type="file" accept="image/png,image/jpeg,image/bmp,image/gif" data-testid="try-image"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
      ) : (
        <label>
          {lm ? 'Prompt' : 'Text'}
          <textarea value={text} rows={3} onChange={(e) => setText(e.target.value)} data-testid="try-input" />
        </label>
      )}
      {lm && (
        <label>
          Max new tokens <input inputMode="numeric" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
        </label>
      )}
      <button type="submit" disabled={busy || (image ? !file : !text.trim())}>
        {busy ? 'Running…' : lm ? 'Complete' : 'Classify'}
      </button>
      <ErrorBox error={error} />
      {prediction && (
        <div data-testid="try-result">
          <p>
            Label <b data-testid="try-label">{prediction.label}</b> ({fmtNum(prediction.score * 100, 3)} %)
          </p>
          <div className="bars">
            {Object.entries(prediction.probabilities)
              .sort((a, b) => b[1] - a[1])
              .map(([label, p]) => (
                <div key={label} className="bar-row">
                  <span className="bar-label">{label}</span>
                  <meter min={0} max={1} value={p} aria-label={`probability of ${label}`} />
                  <span>{(p * 100).toFixed(1)} %</span>
                </div>
              ))}
          </div>
        </div>
      )}
      {completion && (
        <div data-testid="try-result">
          <pre className="completion">
            <span className="muted">{text}</span>
            <b data-testid="try-completion">{completion.completion}</b>
          </pre>
          <p className="muted">
            {completion.finish_reason}, {fmtNum(completion.tokens_per_second, 3)} tokens/s
          </p>
        </div>
      )}
    </form>
  );
}
