import { memo, useEffect, useRef } from 'react';
import { maxChange, type LayerStrip, type SliceMapState } from '../slicemap';

/**
 * Per target layer: a strip over the swept dimension (columns or rows). Colour = how much the folded slices changed
 * the weights at that position (Frobenius norm, shared scale); the outlined band is the slice open now.
 */
export const SliceMap = memo(function SliceMap({ state, version }: { state: SliceMapState; version: number }) {
  const strips = [...state.strips.values()];
  const max = maxChange(state);
  if (strips.length === 0) {
    return <p className="muted" data-testid="slice-map-empty">No slice has moved yet (SliceFine runs only; a move every <code>slicefine.move_steps</code> steps).</p>;
  }
  return (
    <div className="slice-map" data-testid="slice-map" data-moves={state.moves}>
      <p className="muted">
        {state.moves} moves, last at step {state.step}; colour = weight change per position (max {max.toExponential(2)}), box = open slice.
      </p>
      {strips.map((s) => (
        <Strip key={`${s.layer}|${s.mode}`} strip={s} max={max} version={version} />
      ))}
    </div>
  );
});

function Strip({ strip, max, version }: { strip: LayerStrip; max: number; version: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current!;
    const w = Math.min(strip.dim, 1024);
    c.width = w;
    c.height = 1;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, 1);
    const per = strip.dim / w;
    for (let x = 0; x < w; x++) {
      let v = 0;
      let seen = false;
      for (let p = Math.floor(x * per); p < Math.floor((x + 1) * per) || p === Math.floor(x * per); p++) {
        v = Math.max(v, strip.change[p] ?? 0);
        seen ||= (strip.visits[p] ?? 0) > 0;
        if (p >= strip.dim - 1) break;
      }
      const t = max > 0 ? Math.sqrt(v / max) : 0;
      const o = x * 4;
      // unvisited: light grey; visited: white -> deep blue by change
      img.data[o] = seen ? Math.round(239 - 202 * t) : 229;
      img.data[o + 1] = seen ? Math.round(246 - 147 * t) : 231;
      img.data[o + 2] = seen ? Math.round(255 - 20 * t) : 235;
      img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [strip, max, version]);
  const visited = strip.visits.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
  const left = (strip.current / strip.dim) * 100;
  const width = Math.max(0.4, (strip.rank / strip.dim) * 100);
  return (
    <div className="strip">
      <div className="strip-label" title={strip.layer}>
        <span>{strip.layer}</span>
        <span className="muted">
          {strip.mode}s {visited}/{strip.dim} visited
        </span>
      </div>
      <div className="strip-bar">
        <canvas ref={canvas} aria-label={`${strip.layer}: ${visited} of ${strip.dim} ${strip.mode}s visited`} />
        <div className="strip-open" style={{ left: `${left}%`, width: `${width}%` }} />
      </div>
    </div>
  );
}
