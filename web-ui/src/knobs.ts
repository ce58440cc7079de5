/**
 * The launch form's knobs: JSON path in the POST /v1/jobs body, the engine's default (shown as the placeholder; a
 * field left empty is not sent, so the server's default applies) and a one-line explanation.
 */
export interface Knob {
  path: string;
  kind: 'int' | 'number' | 'bool' | 'enum' | 'list';
  def: string;
  help: string;
  options?: string[];
  methods?: string[];
}

export const KNOBS: Knob[] = [
  { path: 'validation_split', kind: 'number', def: '0', help: 'Fraction of the training rows held out for evaluation (0 = none, or use an eval dataset).' },
  { path: 'slicefine.rank', kind: 'int', def: '4', help: 'Width of the trainable slice (columns or rows) in each target layer.', methods: ['slicefine'] },
  { path: 'slicefine.modes', kind: 'list', def: 'column', help: 'Sweep direction: column, row, or row,column to alternate.', methods: ['slicefine'] },
  { path: 'slicefine.move_steps', kind: 'int', def: '50', help: 'Steps between slice moves (fold the delta, open the next slice).', methods: ['slicefine'] },
  { path: 'slicefine.position', kind: 'int', def: '0', help: 'Position of the first slice.', methods: ['slicefine'] },
  { path: 'slicefine.max_position', kind: 'int', def: '0', help: 'Wrap around before this position (0 = the layer dimension).', methods: ['slicefine'] },
  { path: 'slicefine.learning_rate_decay', kind: 'number', def: '1.0', help: 'Multiply the learning rate by this at every move.', methods: ['slicefine'] },
  { path: 'slicefine.min_learning_rate', kind: 'number', def: '0', help: 'Floor for the decayed learning rate.', methods: ['slicefine'] },
  { path: 'slicefine.tolerance', kind: 'int', def: '0', help: 'Moves without improvement before the rank drops (0 = never).', methods: ['slicefine'] },
  { path: 'slicefine.rank_decay', kind: 'number', def: '0.5', help: 'Factor applied to the rank when tolerance runs out.', methods: ['slicefine'] },
  { path: 'slicefine.min_rank', kind: 'int', def: '1', help: 'The rank never goes below this.', methods: ['slicefine'] },
  { path: 'slicefine.bias', kind: 'bool', def: 'false', help: 'Also train the biases of the target layers.', methods: ['slicefine'] },
  { path: 'slicefine.targets', kind: 'list', def: 'family default', help: 'Target layer name patterns, comma separated (empty = the family defaults).', methods: ['slicefine'] },
  { path: 'lora.r', kind: 'int', def: '8', help: 'LoRA rank.', methods: ['lora'] },
  { path: 'lora.alpha', kind: 'number', def: '2 × r', help: 'LoRA scaling numerator (scale = alpha / r).', methods: ['lora'] },
  { path: 'lora.dropout', kind: 'number', def: '0', help: 'Dropout on the LoRA input.', methods: ['lora'] },
  { path: 'lora.targets', kind: 'list', def: 'family default', help: 'Target layer name patterns, comma separated.', methods: ['lora'] },
  { path: 'train.optimizer', kind: 'enum', def: 'adamw', options: ['adamw', 'sgd'], help: 'Optimizer.' },
  { path: 'train.learning_rate', kind: 'number', def: '0.005', help: 'Peak learning rate.' },
  { path: 'train.weight_decay', kind: 'number', def: '0', help: 'Decoupled weight decay.' },
  { path: 'train.lr_schedule', kind: 'enum', def: 'linear', options: ['constant', 'linear', 'cosine'], help: 'Learning-rate schedule after warm-up.' },
  { path: 'train.warmup_steps', kind: 'int', def: '0', help: 'Linear warm-up steps.' },
  { path: 'train.epochs', kind: 'int', def: '3', help: 'Passes over the training rows (ignored when max_steps is set).' },
  { path: 'train.max_steps', kind: 'int', def: '0', help: 'Stop after this many steps (0 = epochs decide).' },
  { path: 'train.batch_size', kind: 'int', def: '16', help: 'Examples per step.' },
  { path: 'train.max_seq_len', kind: 'int', def: '128', help: 'Longer texts are truncated to this many tokens.' },
  { path: 'train.grad_clip', kind: 'number', def: '1.0', help: 'Clip the gradient norm to this (0 = off).' },
  { path: 'train.eval_every', kind: 'int', def: '0', help: 'Evaluate every N steps (0 = at each epoch end).' },
  { path: 'train.early_stopping', kind: 'int', def: '0', help: 'Evaluations without improvement before stopping (0 = off).' },
  { path: 'train.checkpoint_every', kind: 'int', def: '0', help: 'Checkpoint every N steps (0 = the service interval).' },
  { path: 'train.log_every', kind: 'int', def: '10', help: 'Write a metric row every N steps.' },
  { path: 'train.seed', kind: 'int', def: '42', help: 'Random seed (data order, head init).' },
];

/** Builds the job body from the entered values: only non-empty fields, typed, nested by their path. */
export function buildBody(base: Record<string, unknown>, values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, any> = { ...base };
  for (const k of KNOBS) {
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
