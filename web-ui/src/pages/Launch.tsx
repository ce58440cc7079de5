import { useEffect, useState } from 'react';
import { ApiError, fmtNum, post } from '../api';
import { ErrorBox, useApi } from '../components/common';
import { EstimateCard } from '../components/Estimate';
import { buildBody, defaultText, knobsFor, type JobDefaults, type JobEstimate } from '../knobs';
import { navigate } from '../router';
import type { Dataset, Job, Model, PageOf } from '../types';

const TASKS = ['text-classification', 'causal-lm', 'image-classification'];
const METHODS = ['slicefine', 'lora', 'full', 'head'];

export function Launch() {
  const models = useApi<PageOf<Model>>('/v1/models?status=ready&limit=100');
  const datasets = useApi<PageOf<Dataset>>('/v1/datasets?status=ready&limit=100');
  const [base, setBase] = useState({ model_id: '', dataset_id: '', eval_dataset_id: '', name: '', task: '', method: 'slicefine' });
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const model = models.data?.items.find((m) => m.id === base.model_id);
  const dq = new URLSearchParams({ method: base.method });
  if (base.task) dq.set('task', base.task);
  if (base.model_id) dq.set('model_id', base.model_id);
  const defaults = useApi<JobDefaults>(`/v1/jobs/defaults?${dq}`);
  const knobs = defaults.data?.knobs ?? [];
  const shown = knobsFor(knobs, base.method);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [estimating, setEstimating] = useState(false);

  function body(): Record<string, unknown> {
    const b: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) if (v) b[k] = v;
    return buildBody(b, values, shown);
  }

  // The estimate follows the form, 400 ms after the last change; its field errors show next to the fields.
  const bodyKey = JSON.stringify(base.model_id && base.dataset_id && knobs.length ? body() : null);
  useEffect(() => {
    const b = JSON.parse(bodyKey);
    if (!b) {
      setEstimate(null);
      return;
    }
    let live = true;
    setEstimating(true);
    const t = setTimeout(() => {
      post<JobEstimate>('/v1/jobs/estimate', b)
        .then((e) => {
          if (!live) return;
          setEstimate(e);
          setErrors({});
          setError(null);
        })
        .catch((err) => {
          if (!live) return;
          setEstimate(null);
          if (err instanceof ApiError && err.errors.length) setErrors(Object.fromEntries(err.errors.map((x) => [x.field, x.message])));
        })
        .finally(() => live && setEstimating(false));
    }, 400);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [bodyKey]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const job = await post<Job>('/v1/jobs', body());
      navigate(`/jobs/${job.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(Object.fromEntries(err.errors.map((x) => [x.field, x.message])));
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (path: string) =>
    errors[path] ? (
      <span className="field-error" id={`err-${path}`} role="alert">
        {errors[path]}
      </span>
    ) : null;
  const inv = (path: string) => ({ 'aria-invalid': errors[path] ? true : undefined, 'aria-describedby': errors[path] ? `err-${path}` : undefined });

  return (
    <section>
      <h1>Launch a run</h1>
      <form className="launch" onSubmit={submit} noValidate>
        <fieldset className="card">
          <legend>What to train</legend>
          <label>
            Name <input value={base.name} onChange={(e) => setBase({ ...base, name: e.target.value })} {...inv('name')} />
            {fieldError('name')}
          </label>
          <label>
            Model
            <select value={base.model_id} onChange={(e) => setBase({ ...base, model_id: e.target.value })} {...inv('model_id')} data-testid="launch-model">
              <option value="">choose…</option>
              {models.data?.items.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} ({m.report?.family}, {fmtNum(m.report?.parameter_count)} params)
                </option>
              ))}
            </select>
            {fieldError('model_id')}
          </label>
          <label>
            Dataset
            <select value={base.dataset_id} onChange={(e) => setBase({ ...base, dataset_id: e.target.value })} {...inv('dataset_id')} data-testid="launch-dataset">
              <option value="">choose…</option>
              {datasets.data?.items.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({fmtNum(d.report?.valid_examples)} rows)
                </option>
              ))}
            </select>
            {fieldError('dataset_id')}
          </label>
          <label>
            Eval dataset (optional)
            <select value={base.eval_dataset_id} onChange={(e) => setBase({ ...base, eval_dataset_id: e.target.value })} {...inv('eval_dataset_id')}>
              <option value="">none</option>
              {datasets.data?.items.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            {fieldError('eval_dataset_id')}
          </label>
          <label>
            Task
            <select value={base.task} onChange={(e) => setBase({ ...base, task: e.target.value })} {...inv('task')}>
              <option value="">from the model family</option>
              {TASKS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            {fieldError('task')}
          </label>
          <label>
            Method
            <select value={base.method} onChange={(e) => setBase({ ...base, method: e.target.value })} {...inv('method')} data-testid="launch-method">
              {METHODS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            {fieldError('method')}
          </label>
          {model && (
            <p className="muted" data-testid="launch-summary">
              Base model: {fmtNum(model.report?.parameter_count)} parameters in {model.report?.tensor_count} tensors.
            </p>
          )}
        </fieldset>
        <fieldset className="card">
          <legend>Before you start</legend>
          <EstimateCard estimate={estimate} pending={estimating} />
        </fieldset>
        <fieldset className="card knobs">
          <legend>Settings (empty = the default shown)</legend>
          <ErrorBox error={defaults.error} />
          {shown.map((k) => (
            <label key={k.path} className="knob">
              <span className="knob-name">
                <code>{k.path}</code>
              </span>
              {k.kind === 'enum' || k.kind === 'bool' ? (
                <select value={values[k.path] ?? ''} onChange={(e) => setValues({ ...values, [k.path]: e.target.value })} {...inv(k.path)} name={k.path}>
                  <option value="">default ({defaultText(k)})</option>
                  {(k.kind === 'bool' ? ['true', 'false'] : k.options).map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ) : (
                <input
                  name={k.path}
                  inputMode={k.kind === 'list' ? 'text' : 'decimal'}
                  value={values[k.path] ?? ''}
                  placeholder={defaultText(k)}
                  onChange={(e) => setValues({ ...values, [k.path]: e.target.value })}
                  {...inv(k.path)}
                />
              )}
              <span className="help">{k.help}</span>
              {fieldError(k.path)}
            </label>
          ))}
        </fieldset>
        {Object.keys(errors)
          .filter((f) => !['name', 'model_id', 'dataset_id', 'eval_dataset_id', 'task', 'method'].includes(f) && !shown.some((k) => k.path === f))
          .map((f) => (
            <p key={f} className="error" role="alert">
              {f || 'body'}: {errors[f]}
            </p>
          ))}
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          Start run
        </button>
      </form>
    </section>
  );
}
