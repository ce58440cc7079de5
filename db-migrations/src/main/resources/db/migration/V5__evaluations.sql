-- Evaluation runs share the job queue (claim, lease, heartbeat, cancel, events): a jobs row of kind 'evaluate'.
-- model_id is the base checkpoint; source_job_id, when set, is the fine-tuning job whose result is evaluated
-- (its slice diff applied to the base in memory); config holds max_seq_len and batch_size.
ALTER TABLE jobs ADD COLUMN kind text NOT NULL DEFAULT 'train' CHECK (kind IN ('train', 'evaluate'));
ALTER TABLE jobs ADD COLUMN source_job_id uuid REFERENCES jobs (id) ON DELETE SET NULL;
CREATE INDEX jobs_tenant_kind_created_idx ON jobs (tenant_id, kind, created_at DESC, id DESC);

-- One row per finished evaluation: the task and every score (snake_case JSON, as the API returns it).
CREATE TABLE evaluation_results (
    job_id      uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    task        text NOT NULL,
    metrics     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every example's prediction, in dataset order (idx), so anyone can recompute the scores.
CREATE TABLE evaluation_predictions (
    job_id  uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idx     integer NOT NULL,
    data    jsonb NOT NULL,
    PRIMARY KEY (job_id, idx)
);
