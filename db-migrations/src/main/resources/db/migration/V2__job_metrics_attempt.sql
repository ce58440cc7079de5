-- Which attempt of a job wrote a metrics row: after a crash, the resumed attempt re-trains the steps between its
-- checkpoint and the crash, so a step can appear once per attempt; clients keep the newest attempt's rows.
ALTER TABLE job_metrics ADD COLUMN attempt integer;
