-- Training speed in the unit that fits the data: tokens/s for text, images/s for images (tokens_per_second stays, for
-- text jobs; it is null for image jobs, where it used to read 0).
ALTER TABLE job_metrics ADD COLUMN throughput double precision;
ALTER TABLE job_metrics ADD COLUMN throughput_unit text CHECK (throughput_unit IN ('tokens/s', 'images/s'));
