import type uPlot from 'uplot';
import type { Metric } from './types';

/**
 * Column arrays of a job's metric rows, appended as they stream in (no copies: charts read the arrays in place).
 * Train rows feed loss / learning rate / throughput; other splits feed the eval curves.
 */
export class MetricStore {
  readonly train = { step: [] as number[], loss: [] as (number | null)[], lr: [] as (number | null)[], thr: [] as (number | null)[] };
  readonly evals = { step: [] as number[], values: new Map<string, (number | null)[]>() };
  throughputUnit = 'tokens/s';
  lastId = 0;

  add(m: Metric): void {
    if (m.id <= this.lastId) return; // a replay after reconnect
    this.lastId = m.id;
    if (m.split === 'train') {
      this.train.step.push(m.step);
      this.train.loss.push(m.loss);
      this.train.lr.push(m.learning_rate);
      this.train.thr.push(m.throughput ?? m.tokens_per_second);
      if (m.throughput_unit) this.throughputUnit = m.throughput_unit;
    } else {
      const values: Record<string, number | null> = { ...(m.eval_metrics ?? {}) };
      if (m.loss != null && values.loss == null) values.loss = m.loss;
      const n = this.evals.step.length;
      this.evals.step.push(m.step);
      for (const k of Object.keys(values)) if (!this.evals.values.has(k)) this.evals.values.set(k, new Array(n).fill(null));
      for (const [k, arr] of this.evals.values) arr.push(typeof values[k] === 'number' ? values[k] : null);
    }
  }

  get count(): number {
    return this.train.step.length + this.evals.step.length;
  }

  loss(): uPlot.AlignedData {
    return [this.train.step, this.train.loss] as uPlot.AlignedData;
  }
  lr(): uPlot.AlignedData {
    return [this.train.step, this.train.lr] as uPlot.AlignedData;
  }
  throughput(): uPlot.AlignedData {
    return [this.train.step, this.train.thr] as uPlot.AlignedData;
  }
  evalKeys(): string[] {
    return [...this.evals.values.keys()].sort();
  }
  evalData(): uPlot.AlignedData {
    return [this.evals.step, ...this.evalKeys().map((k) => this.evals.values.get(k)!)] as uPlot.AlignedData;
  }
}

/** Series over different step sets aligned on the union of steps (null where a series has no value). */
export function align(series: { steps: number[]; values: (number | null)[] }[]): uPlot.AlignedData {
  const all = new Set<number>();
  for (const s of series) for (const x of s.steps) all.add(x);
  const xs = [...all].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const out: (number | null)[][] = series.map(() => new Array(xs.length).fill(null));
  series.forEach((s, k) => s.steps.forEach((x, i) => (out[k][index.get(x)!] = s.values[i])));
  return [xs, ...out] as uPlot.AlignedData;
}
