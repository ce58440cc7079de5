-- A training job with an eval dataset (or validation_split) gets a final evaluation run when it succeeds: an
-- evaluation (jobs row of kind 'evaluate', source_job_id = the job) queued in the transaction that ends the job, and
-- linked from it here.
ALTER TABLE jobs ADD COLUMN evaluation_id uuid REFERENCES jobs (id) ON DELETE SET NULL;
