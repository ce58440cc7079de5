import { SseParser, type SseMessage } from './sse';

const KEY = 'slicefine.api_key';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/** Fired when the api answers 401: the app goes back to sign-in. */
export const unauthorized = new EventTarget();

/** An RFC 9457 problem: stable code, detail, and for 422 invalid_job the field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: { field: string; message: string; code?: string }[] = [],
  ) {
    super(message);
  }
}

async function problem(r: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = await r.json();
  } catch {
    /* not JSON */
  }
  if (r.status === 401) {
    setApiKey(null);
    unauthorized.dispatchEvent(new Event('401'));
  }
  const errors = Array.isArray(body.errors) ? (body.errors as ApiError['errors']) : [];
  return new ApiError(r.status, String(body.code ?? r.status), String(body.detail ?? body.title ?? r.statusText), errors);
}

function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const key = apiKey();
  if (key) h.set('Authorization', `Bearer ${key}`);
  return h;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const h = headers(init.headers);
  if (init.body && typeof init.body === 'string' && !h.has('Content-Type')) h.set('Content-Type', 'application/json');
  const r = await fetch(path, { ...init, headers: h });
  if (!r.ok) throw await problem(r);
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const post = <T>(path: string, body?: unknown) =>
  api<T>(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
export const del = (path: string) => api<void>(path, { method: 'DELETE' });

/** Multipart POST with upload progress (fetch has none), e.g. a model folder's files. */
export function uploadMultipart<T>(path: string, form: FormData, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    const key = apiKey();
    if (key) x.setRequestHeader('Authorization', `Bearer ${key}`);
    x.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    x.onload = () => {
      const r = new Response(x.responseText, { status: x.status, headers: { 'Content-Type': 'application/json' } });
      if (x.status >= 200 && x.status < 300) resolve(JSON.parse(x.responseText) as T);
      else problem(r).then(reject);
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    x.send(form);
  });
}

export const CHUNK = 8 * 1024 * 1024;

/**
 * A resumable upload (tus-style /v1/uploads): POST, PATCH chunks from the server's offset, complete. A failed chunk
 * is retried from the offset the server reports (HEAD), so a dropped connection loses at most one chunk.
 */
export async function uploadResumable(
  file: File,
  meta: Record<string, unknown>,
  onProgress: (sent: number, total: number) => void,
): Promise<{ result_id: string }> {
  const created = await post<{ id: string }>('/v1/uploads', { ...meta, filename: file.name, size: file.size });
  let offset = 0;
  let failures = 0;
  while (offset < file.size) {
    const chunk = file.slice(offset, Math.min(file.size, offset + CHUNK));
    try {
      const r = await fetch(`/v1/uploads/${created.id}`, {
        method: 'PATCH',
        headers: headers({ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }),
        body: chunk,
      });
      if (!r.ok && r.status !== 409) throw await problem(r);
      offset = Number(r.headers.get('Upload-Offset') ?? offset + chunk.size);
      failures = 0;
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0) throw e;
      if (++failures > 5) throw e;
      await new Promise((res) => setTimeout(res, 500 * failures));
      const h = await fetch(`/v1/uploads/${created.id}`, { method: 'HEAD', headers: headers() });
      offset = Number(h.headers.get('Upload-Offset') ?? offset);
    }
    onProgress(offset, file.size);
  }
  return post<{ result_id: string }>(`/v1/uploads/${created.id}/complete`);
}

/**
 * Follows a /v1 Server-Sent Events stream with fetch() (EventSource cannot send the Authorization header), reconnecting
 * with Last-Event-ID after a drop until the server ends the stream (terminal job) or the signal aborts.
 */
export async function followSse(
  path: string,
  onMessage: (m: SseMessage) => void,
  signal: AbortSignal,
  lastId: string | null = null,
  onState: (s: 'open' | 'reconnecting' | 'closed') => void = () => {},
): Promise<void> {
  let last = lastId;
  let delay = 500;
  while (!signal.aborted) {
    try {
      const h = headers({ Accept: 'text/event-stream' });
      if (last) h.set('Last-Event-ID', last);
      const r = await fetch(path, { headers: h, signal });
      if (!r.ok || !r.body) throw await problem(r);
      onState('open');
      delay = 500;
      const parser = new SseParser((m) => {
        if (m.id) last = m.id;
        onMessage(m);
      });
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      onState('closed');
      return; // the server closes the stream once the job is terminal
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
        onState('closed');
        throw e;
      }
      onState('reconnecting');
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

export function fmtBytes(n: number | null | undefined): string {
  if (n == null) return '—';
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}

export function fmtNum(n: number | null | undefined, digits = 4): string {
  if (n == null || Number.isNaN(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en');
  return Math.abs(n) < 1e-3 || Math.abs(n) >= 1e5 ? n.toExponential(2) : n.toPrecision(digits);
}

export function fmtDuration(s: number | null | undefined): string {
  if (s == null) return '—';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m ${t % 60}s`;
  return `${Math.floor(t / 3600)}h ${Math.floor((t % 3600) / 60)}m`;
}
