export interface PageOf<T> {
  items: T[];
  next_cursor: string | null;
}
export type Status = 'validating' | 'ready' | 'invalid';
export interface ModelReport {
  family?: string;
  architecture?: string;
  head?: string;
  parameter_count?: number;
  dtypes?: string[];
  tensor_count?: number;
  tokenizer_present?: boolean;
  problems?: string[];
  warnings?: string[];
}
export interface Model {
  id: string;
  name: string;
  status: Status;
  source_format: string;
  total_size: number;
  report: ModelReport | null;
  created_at: string;
}
export interface DatasetReport {
  task: string | null;
  rows: number;
  valid_examples: number;
  invalid_rows: number;
  label_type: string | null;
  label_distribution: Record<string, number> | null;
  issue_count: number;
  issues: { line: number; field: string | null; code: string; message: string }[];
}
export interface Dataset {
  id: string;
  name: string;
  format: string;
  status: Status;
  filename: string;
  size: number;
  report: DatasetReport | null;
  created_at: string;
}
export interface Metric {
  id: number;
  step: number;
  epoch: number | null;
  split: string;
  loss: number | null;
  learning_rate: number | null;
  tokens_per_second: number | null;
  throughput?: number | null;
  throughput_unit?: string | null;
  eval_metrics: Record<string, number> | null;
  attempt: number;
  created_at: string;
}
export interface JobEvent {
  seq: number;
  type: string;
  from_status: string | null;
  to_status: string | null;
  code: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
  created_at: string;
}
export interface Job {
  id: string;
  name: string | null;
  model_id: string;
  dataset_id: string;
  eval_dataset_id: string | null;
  status: string;
  cancel_requested: boolean;
  priority: number;
  attempt: number;
  config: Record<string, any>;
  progress: { step: number; total_steps: number | null };
  eta_seconds: number | null;
  latest_metrics: Metric | null;
  error: { code: string; message: string } | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** where the latest attempt runs or ran (null before a worker claimed it) */
  device?: string | null;
  worker?: string | null;
  /** the final evaluation of a succeeded job with an eval dataset or validation_split */
  evaluation_id?: string | null;
}
export interface Artifact {
  id: string;
  kind: string;
  filename: string;
  size: number;
  sha256: string;
  url: string;
}
export const TERMINAL = ['succeeded', 'failed', 'cancelled'];
export interface EvaluationMetrics {
  task: string;
  examples?: number;
  accuracy?: number | null;
  macro_f1?: number | null;
  weighted_f1?: number | null;
  mean_loss?: number | null;
  perplexity?: number | null;
  exact_match?: number | null;
  per_label?: { label: string; precision: number; recall: number; f1: number; support: number }[];
  confusion_matrix?: { labels: string[]; rows: number[][] };
  unknown_label_count?: number;
}
export interface Evaluation {
  id: string;
  status: string;
  model_id: string;
  job_id: string | null;
  dataset_id: string;
  task: string | null;
  metrics: EvaluationMetrics | null;
  error: { code: string; message: string } | null;
  created_at: string;
  finished_at: string | null;
}
