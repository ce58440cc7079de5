import { describe, expect, it } from 'vitest';
import { buildBody, defaultText, knobsFor, type Knob } from './knobs';
import { align, MetricStore } from './metrics';

const knob = (path: string, kind: Knob['kind'], default_value: unknown, methods: string[] = []): Knob => ({ path, kind, default_value, help: 'h', options: [], methods });
const KNOBS: Knob[] = [
  knob('slicefine.rank', 'int', 4, ['slicefine']),
  knob('slicefine.modes', 'list', ['column'], ['slicefine']),
  knob('slicefine.bias', 'bool', false, ['slicefine']),
  knob('slicefine.targets', 'list', [], ['slicefine']),
  knob('lora.r', 'int', 8, ['lora']),
  knob('train.lr_schedule', 'enum', 'linear'),
  knob('train.epochs', 'int', 3),
  knob('train.batch_size', 'int', 16),
  knob('train.checkpoint_minutes', 'number', null),
];

describe('launch knobs from the server', () => {
  it('shows a method only its own knobs and the shared ones', () => {
    expect(knobsFor(KNOBS, 'lora').map((k) => k.path)).toEqual(['lora.r', 'train.lr_schedule', 'train.epochs', 'train.batch_size', 'train.checkpoint_minutes']);
  });
  it('writes defaults as the form shows them', () => {
    expect(KNOBS.map(defaultText)).toEqual(['4', 'column', 'false', 'family default', '8', 'linear', '3', '16', 'service default']);
  });
});

describe('launch body', () => {
  it('sends only the fields that were filled, typed and nested by path', () => {
    const body = buildBody({ model_id: 'm' }, { 'slicefine.rank': '8', 'slicefine.modes': 'row, column', 'slicefine.bias': 'true', 'train.lr_schedule': 'cosine', 'train.epochs': '' }, KNOBS);
    expect(body).toEqual({ model_id: 'm', slicefine: { rank: 8, modes: ['row', 'column'], bias: true }, train: { lr_schedule: 'cosine' } });
  });
  it('keeps a non-number as typed so the server reports the field', () => {
    expect(buildBody({}, { 'train.batch_size': 'lots' }, KNOBS)).toEqual({ train: { batch_size: 'lots' } });
  });
});

describe('charts data', () => {
  it('aligns runs with different steps on the union of steps', () => {
    expect(align([{ steps: [1, 3], values: [1, 3] }, { steps: [2, 3], values: [20, 30] }])).toEqual([[1, 2, 3], [1, null, 3], [null, 20, 30]]);
  });
  it('the metric store ignores replayed rows and splits train from eval', () => {
    const s = new MetricStore();
    const row = (id: number, split: string, loss: number, ev: Record<string, number> | null = null) =>
      ({ id, step: id, epoch: 0, split, loss, learning_rate: 0.1, tokens_per_second: 10, eval_metrics: ev, attempt: 1, created_at: '' });
    s.add(row(1, 'train', 2));
    s.add(row(2, 'eval', 1.5, { accuracy: 0.5 }));
    s.add(row(1, 'train', 2));
    s.add(row(3, 'train', 1));
    expect(s.loss()).toEqual([[1, 3], [2, 1]]);
    expect(s.evalKeys()).toEqual(['accuracy', 'loss']);
    expect(s.evalData()).toEqual([[2], [0.5], [1.5]]);
  });
});
