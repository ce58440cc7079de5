import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
export const color = (i: number) => PALETTE[i % PALETTE.length];

/**
 * A uPlot line chart. `data()` is read when `version` changes; redraws are coalesced to one per animation frame, so a
 * stream of metric rows costs one setData per frame however fast they arrive.
 */
export function Chart(props: {
  title: string;
  series: SeriesSpec[];
  data: () => uPlot.AlignedData;
  version: number;
  log?: boolean;
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const frame = useRef(0);
  const { title, series, log, height = 220 } = props;
  const key = series.map((s) => s.label).join('|') + String(log);

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ label: 'step' }, { size: 64, values: (_u, vals) => vals.map(tick) }],
      series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: false } }))],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    const u = new uPlot(opts, clean(props.data(), log), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame.current);
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, height]);

  useEffect(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => plot.current?.setData(clean(props.data(), log)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.version]);

  const points = props.data()[0].length;
  return <div className="chart" ref={box} data-testid={props.testId} data-points={points} role="img" aria-label={`${title} chart, ${points} points`} />;
}

/** Axis ticks with enough digits to tell 0.0049 from 0.0050. */
function tick(v: number): string {
  if (v == null) return '';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** A log scale cannot show values <= 0: they become gaps. */
function clean(d: uPlot.AlignedData, log?: boolean): uPlot.AlignedData {
  if (!log) return d;
  return [d[0], ...d.slice(1).map((s) => (s as (number | null)[]).map((v) => (v != null && v > 0 ? v : null)))] as uPlot.AlignedData;
}

