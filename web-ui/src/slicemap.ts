import type { JobEvent } from './types';

/** One layer's `slice_moved` entry (COMMON contract): the slice folded at `from`, the next one opens at `to`. */
export interface LayerMove {
  layer: string;
  mode: 'column' | 'row';
  from: number;
  to: number;
  rank: number;
  dim: number;
  delta_norm: number;
}

/** Per target layer and mode: how much the weights changed at each position (summed over visits) and how often. */
export interface LayerStrip {
  layer: string;
  mode: 'column' | 'row';
  dim: number;
  change: Float64Array;
  visits: Uint16Array;
  current: number;
  rank: number;
  moves: number;
}

export interface SliceMapState {
  strips: Map<string, LayerStrip>;
  moves: number;
  step: number;
}

export function emptySliceMap(): SliceMapState {
  return { strips: new Map(), moves: 0, step: 0 };
}

/**
 * Folds one `slice_moved` event into the map: positions from..from+rank-1 of the swept dimension got `delta_norm`
 * (spread evenly over the rank), and the open slice is now at `to`. Other events are ignored.
 */
export function applySliceMoved(state: SliceMapState, ev: Pick<JobEvent, 'type' | 'data'>): SliceMapState {
  if (ev.type !== 'slice_moved' || !ev.data) return state;
  const layers = (ev.data.layers as LayerMove[] | undefined) ?? [];
  for (const m of layers) {
    const key = `${m.layer}|${m.mode}`;
    let s = state.strips.get(key);
    if (!s || s.dim !== m.dim) {
      s = { layer: m.layer, mode: m.mode, dim: m.dim, change: new Float64Array(m.dim), visits: new Uint16Array(m.dim), current: 0, rank: m.rank, moves: 0 };
      state.strips.set(key, s);
    }
    const per = m.rank > 0 ? m.delta_norm / m.rank : 0;
    for (let i = 0; i < m.rank; i++) {
      const p = (m.from + i) % m.dim;
      s.change[p] += per;
      s.visits[p] = Math.min(65535, s.visits[p] + 1);
    }
    s.current = m.to;
    s.rank = m.rank;
    s.moves++;
  }
  state.moves++;
  state.step = Number(ev.data.step ?? state.step);
  return state;
}

/** Largest per-position change over all strips (the colour scale is shared so layers compare). */
export function maxChange(state: SliceMapState): number {
  let max = 0;
  for (const s of state.strips.values()) for (const v of s.change) if (v > max) max = v;
  return max;
}
