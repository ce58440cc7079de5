import { describe, expect, it } from 'vitest';
import { applySliceMoved, emptySliceMap, maxChange } from './slicemap';

const move = (n: number, from: number, to: number, norm: number) => ({
  type: 'slice_moved',
  data: { move: n, step: n * 2, rank: 2, layers: [{ layer: 'bert.encoder.layer.0.attention.self.query.weight', mode: 'column', from, to, rank: 2, dim: 8, delta_norm: norm }] },
});

describe('slice map', () => {
  it('records which positions each move visited, how much it changed them, and where the open slice is', () => {
    const s = emptySliceMap();
    applySliceMoved(s, move(1, 0, 2, 0.4));
    applySliceMoved(s, move(2, 2, 4, 1.0));
    applySliceMoved(s, move(3, 0, 2, 0.2)); // a second visit adds up
    const strip = s.strips.get('bert.encoder.layer.0.attention.self.query.weight|column')!;
    expect(Array.from(strip.visits)).toEqual([2, 2, 1, 1, 0, 0, 0, 0]);
    expect(strip.change[0]).toBeCloseTo(0.3);
    expect(strip.change[3]).toBeCloseTo(0.5);
    expect(strip.current).toBe(2);
    expect(s.moves).toBe(3);
    expect(s.step).toBe(6);
    expect(maxChange(s)).toBeCloseTo(0.5);
  });

  it('wraps positions past the dimension and ignores other events', () => {
    const s = emptySliceMap();
    applySliceMoved(s, { type: 'checkpoint', data: { step: 3 } });
    expect(s.moves).toBe(0);
    applySliceMoved(s, move(1, 7, 1, 1));
    expect(Array.from(s.strips.values())[0].visits[0]).toBe(1);
    expect(Array.from(s.strips.values())[0].visits[7]).toBe(1);
  });
});
