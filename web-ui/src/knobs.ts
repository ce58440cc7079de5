/**
 * The launch form's knobs as the server describes them (GET /v1/jobs/defaults: the engine's knob list and defaults for
 * the chosen task and method). A field left empty is not sent, so the server's default applies.
 */
export interface Knob {
  path: string;
  kind: 'int' | 'number' | 'bool' | 'enum' | 'list';
  default_value: unknown;
  help: string;
  options: string[];
  methods: string[];
}

export interface JobDefaults {
  task: string;
  method: string;
  config: Record<string, unknown>;
  knobs: Knob[];
}

/** What a job would train (POST /v1/jobs/estimate). */
export interface JobEstimate {
  task: string;
  method: string;
  trainable_params: number;
  total_params: number;
  trainable_fraction: number;
  total_steps: number;
  diff_bytes: number;
  target_layers: { layer: string; shape: number[]; mode: string; rank: number; trainable: number }[];
}

/** The knobs that apply to a method (an empty `methods` list: every method). */
export function knobsFor(knobs: Knob[], method: string): Knob[] {
  return knobs.filter((k) => !k.methods.length || k.methods.includes(method));
}

/** The default as the form shows it (placeholder / "default (…)" option). */
export function defaultText(k: Knob): string {
  const v = k.default_value;
  if (v == null) return 'service default';
  if (Array.isArray(v)) return v.length ? v.join(',') : 'family default';
  return String(v);
}

/** Builds the job body from the entered values: only non-empty fields, typed, nested by their path. */
export function buildBody(base: Record<string, unknown>, values: Record<string, string>, knobs: Knob[]): Record<string, unknown> {
  const body: Record<string, any> = { ...base };
  for (const k of knobs) {
    const raw = values[k.path]?.trim();
    if (!raw) continue;
    let v: unknown = raw;
    if (k.kind === 'int' || k.kind === 'number') v = Number(raw);
    else if (k.kind === 'bool') v = raw === 'true';
    else if (k.kind === 'list') v = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const parts = k.path.split('.');
    let o = body;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    o[parts[parts.length - 1]] = Number.isNaN(v) ? raw : v;
  }
  return body;
}
