import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, apiKey, fmtBytes, fmtDuration, fmtNum, followSse, post } from '../api';
import { Chart, color } from '../components/Chart';
import { Badge, ErrorBox, ProgressBar, when } from '../components/common';
import { SliceMap } from '../components/SliceMap';
import { EvaluationPanel } from '../components/Evaluation';
import { TryIt } from '../components/TryIt';
import { MetricStore } from '../metrics';
import { onLink, setQuery, useLocation } from '../router';
import { applySliceMoved, emptySliceMap } from '../slicemap';
import { TERMINAL, type Artifact, type Job, type JobEvent } from '../types';

/**
 * A version counter bumped at most every `ms` however many rows arrive (rows are appended to arrays in place; the
 * charts and the slice map redraw when it changes), so a fast stream costs a few redraws per second.
 */
function useThrottledVersion(ms: number): [number, () => void] {
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const bump = useMemo(
    () => () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        setVersion((v) => v + 1);
      }, ms);
    },
    [ms],
  );
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  return [version, bump];
}

export function JobDetail({ id }: { id: string }) {
  const { query } = useLocation();
  const log = query.get('log') === '1';
  const tab = query.get('tab') ?? 'events';
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [stream, setStream] = useState('connecting');
  const store = useMemo(() => new MetricStore(), [id]);
  const slices = useMemo(() => emptySliceMap(), [id]);
  const events = useRef<JobEvent[]>([]);
  const [version, bump] = useThrottledVersion(100);
  const [eventsVersion, bumpEvents] = useThrottledVersion(100);

  // The job row: refreshed on every status event and every few seconds while it runs (progress, ETA).
  const refresh = useMemo(
    () => () =>
      api<Job>(`/v1/jobs/${id}`)
        .then(setJob)
        .catch(setError),
    [id],
  );
  useEffect(() => {
    refresh();
  }, [refresh]);
  const terminal = job ? TERMINAL.includes(job.status) : false;
  useEffect(() => {
    if (terminal) return;
    const t = setInterval(refresh, 3000);
    return () => clearInterval(t);
  }, [terminal, refresh]);

  // Two SSE streams over fetch (Authorization header), each resuming with Last-Event-ID after a drop.
  useEffect(() => {
    const ctl = new AbortController();
    events.current = [];
    followSse(
      `/v1/jobs/${id}/events`,
      (m) => {
        const ev = JSON.parse(m.data) as JobEvent;
        if (events.current.length && ev.seq <= events.current[events.current.length - 1].seq) return;
        events.current.push(ev);
        applySliceMoved(slices, ev);
        if (ev.type === 'status' || ev.type === 'cancel_requested' || ev.type === 'artifact') refresh();
        bumpEvents();
      },
      ctl.signal,
      null,
      setStream,
    ).catch(setError);
    followSse(
      `/v1/jobs/${id}/metrics`,
      (m) => {
        store.add(JSON.parse(m.data));
        bump();
      },
      ctl.signal,
    ).catch(setError);
    return () => ctl.abort();
  }, [id, store, slices, bump, bumpEvents, refresh]);

  if (!job) return error ? <ErrorBox error={error} /> : <p>Loading…</p>;
  const started = events.current.find((e) => e.type === 'started')?.data as Record<string, any> | undefined;
  const checkpoints = events.current.filter((e) => e.type === 'checkpoint');
  const evalKeys = store.evalKeys();

  return (
    <section className="job" data-testid="job-page" data-status={job.status}>
      <div className="job-head">
        <h1>
          {job.name ?? `Run ${job.id.slice(0, 8)}`} <Badge status={job.status} />
        </h1>
        <span className="muted" data-testid="stream-state">
          live: {stream}
        </span>
        {!terminal && (
          <button
            className="danger"
            disabled={job.cancel_requested}
            onClick={() =>
              post<Job>(`/v1/jobs/${id}/cancel`)
                .then(setJob)
                .catch(setError)
            }
          >
            {job.cancel_requested ? 'Cancelling…' : 'Cancel run'}
          </button>
        )}
        <a href={`/compare?ids=${id}`} onClick={onLink}>
          Compare…
        </a>
      </div>
      <ErrorBox error={error} />
      {job.error && (
        <p className="error">
          {job.error.code}: {job.error.message}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Progress</dt>
          <dd>
            <ProgressBar value={job.progress.step} max={job.progress.total_steps ?? 0} label="run progress" /> step{' '}
            <span data-testid="job-step">{job.progress.step}</span> / {job.progress.total_steps ?? '?'}
          </dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd>{job.status === 'running' ? fmtDuration(job.eta_seconds) : '—'}</dd>
        </div>
        <div>
          <dt>Device / worker</dt>
          <dd data-testid="job-device">
            {job.device ?? '—'}
            {job.worker ? ` · ${job.worker}` : ''}
          </dd>
        </div>
        <div>
          <dt>Method / task</dt>
          <dd>
            {job.config?.method} / {job.config?.task}
          </dd>
        </div>
        <div>
          <dt>Trainable / total params</dt>
          <dd data-testid="trainable">{started ? `${fmtNum(started.trainable_params)} / ${fmtNum(started.total_params)}` : '—'}</dd>
        </div>
        <div>
          <dt>Latest loss</dt>
          <dd>{fmtNum(store.train.loss[store.train.loss.length - 1] ?? job.latest_metrics?.loss)}</dd>
        </div>
        <div>
          <dt>Started / finished</dt>
          <dd>
            {when(job.started_at)} / {when(job.finished_at)}
          </dd>
        </div>
      </dl>

      <div className="chart-tools">
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setQuery({ log: e.target.checked ? '1' : null })} /> log scale
        </label>
        <span className="muted" data-testid="metric-count">
          {store.count} metric rows
        </span>
      </div>
      <div className="charts">
        <Chart title="Training loss" testId="loss-chart" series={[{ label: 'loss', color: color(0) }]} data={() => store.loss()} version={version} log={log} />
        <Chart title="Learning rate" series={[{ label: 'lr', color: color(1) }]} data={() => store.lr()} version={version} log={log} />
        <Chart title={`Throughput (${store.throughputUnit})`} series={[{ label: store.throughputUnit, color: color(2) }]} data={() => store.throughput()} version={version} />
        {evalKeys.length > 0 && (
          <Chart title="Evaluation" series={evalKeys.map((k, i) => ({ label: k, color: color(i + 3) }))} data={() => store.evalData()} version={version} log={log} />
        )}
      </div>

      <h2>Slice map</h2>
      <SliceMap state={slices} version={eventsVersion} />

      <h2>Downloads</h2>
      <Downloads job={job} />

      <h2>Evaluation</h2>
      <EvaluationPanel job={job} selected={query.get('evaluation')} onSelect={(e) => setQuery({ evaluation: e })} />

      {job.status === 'succeeded' && (
        <>
          <h2>Try it</h2>
          <TryIt jobId={job.id} task={job.config?.task} />
        </>
      )}

      <div className="tabs" role="tablist">
        {['events', 'checkpoints', 'config'].map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} onClick={() => setQuery({ tab: t === 'events' ? null : t })}>
            {t}
          </button>
        ))}
      </div>
      {tab === 'events' && (
        <EventLog events={events.current} version={eventsVersion} />
      )}
      {tab === 'checkpoints' && (
        <ul>
          {checkpoints.length === 0 && <li className="muted">no checkpoint yet</li>}
          {checkpoints.map((c) => (
            <li key={c.seq}>
              step {String(c.data?.step ?? '?')} at {when(c.created_at)}
            </li>
          ))}
        </ul>
      )}
      {tab === 'config' && <pre className="config">{JSON.stringify(job.config, null, 2)}</pre>}
    </section>
  );
}

/** The newest 200 events, newest first; re-rendered only when events arrive. */
const EventLog = memo(function EventLog({ events }: { events: JobEvent[]; version: number }) {
  return (
    <ol className="events" data-testid="events">
      {events
        .slice(-200)
        .reverse()
        .map((e) => (
          <li key={e.seq}>
            <span className="muted">#{e.seq}</span> <b>{e.type}</b> {e.from_status && `${e.from_status} → ${e.to_status}`} {e.code && <code>{e.code}</code>}{' '}
            {e.message} {e.type === 'slice_moved' ? `move ${e.data?.move} at step ${e.data?.step}` : ''} <span className="muted">{when(e.created_at)}</span>
          </li>
        ))}
    </ol>
  );
});

const KINDS: [string, string, string][] = [
  ['diff', 'Slice diff', 'diff.safetensors + manifest'],
  ['merged', 'Merged checkpoint', 'Hugging Face folder, zip'],
  ['peft', 'PEFT adapter', 'exact LoRA adapter, zip'],
];

function Downloads({ job }: { job: Job }) {
  const [artifacts, setArtifacts] = useState<Artifact[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (job.status !== 'succeeded') return;
    api<Artifact[] | { items: Artifact[] }>(`/v1/jobs/${job.id}/artifacts`)
      .then((a) => setArtifacts(Array.isArray(a) ? a : a.items))
      .catch(setError);
  }, [job.id, job.status, busy]);
  if (job.status !== 'succeeded') return <p className="muted">Downloads appear when the run has succeeded.</p>;

  async function download(kind: string) {
    setBusy(kind);
    setError(null);
    try {
      const r = await fetch(`/v1/jobs/${job.id}/artifacts/${kind}`, { headers: { Authorization: `Bearer ${apiKey()}` } });
      if (!r.ok) {
        const p = await r.json().catch(() => ({}));
        throw new ApiError(r.status, p.code ?? String(r.status), p.detail ?? r.statusText);
      }
      const name = /filename="?([^";]+)"?/.exec(r.headers.get('Content-Disposition') ?? '')?.[1] ?? `${kind}.zip`;
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  const method = job.config?.method;
  return (
    <div className="downloads">
      {KINDS.filter(([k]) => !(method === 'lora' && k === 'merged') && !(method === 'full' && k === 'peft')).map(([kind, label, what]) => {
        const a = artifacts.find((x) => x.kind === kind);
        return (
          <div key={kind} className="card download" data-testid={`download-${kind}`} data-sha256={a?.sha256}>
            <b>{label}</b>
            <span className="muted">{what}</span>
            <span>{a ? fmtBytes(a.size) : 'made on first download'}</span>
            <button onClick={() => download(kind)} disabled={busy != null}>
              {busy === kind ? 'Preparing…' : `Download ${kind}`}
            </button>
          </div>
        );
      })}
      <ErrorBox error={error} />
    </div>
  );
}
