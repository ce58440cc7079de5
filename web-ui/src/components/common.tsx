import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, del } from '../api';
import type { PageOf } from '../types';

export function Badge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div className="progress">
      <progress value={value} max={max || 1} aria-label={label} />
      <span>{max ? `${Math.round((100 * value) / max)}%` : ''}</span>
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  return (
    <p className="error" role="alert">
      {e.code ? `${e.code}: ` : ''}
      {e.message}
    </p>
  );
}

/** Loads `path` (re-run on `deps` or reload()); keeps the last value while reloading. */
export function useApi<T>(path: string | null, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    api<T>(path)
      .then((d) => live && (setData(d), setError(null)))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/** Polls while `active` (e.g. something is still validating). */
export function usePoll(active: boolean, reload: () => void, ms = 1500) {
  useEffect(() => {
    if (!active) return;
    const t = setInterval(reload, ms);
    return () => clearInterval(t);
  }, [active, reload, ms]);
}

export function Pager<T>({ page, cursor, onCursor }: { page: PageOf<T> | null; cursor: string | null; onCursor: (c: string | null) => void }) {
  return (
    <div className="pager">
      <button disabled={!cursor} onClick={() => onCursor(null)}>
        First page
      </button>
      <button disabled={!page?.next_cursor} onClick={() => onCursor(page!.next_cursor)}>
        Next page
      </button>
    </div>
  );
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A row's Delete button: asks first, deletes `path`, then `onDeleted`; a refusal (e.g. 409 in use) goes to `onError`. */
export function DeleteButton({ what, path, onDeleted, onError }: { what: string; path: string; onDeleted: () => void; onError: (e: unknown) => void }) {
  return (
    <button
      className="danger"
      onClick={async () => {
        if (!confirm(`Delete ${what}?`)) return;
        try {
          await del(path);
          onDeleted();
        } catch (err) {
          onError(err);
        }
      }}
    >
      Delete
    </button>
  );
}
