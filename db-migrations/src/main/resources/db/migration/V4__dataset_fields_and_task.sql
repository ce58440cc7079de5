-- Datasets name their fields (every text format) and say which task they are for; the engine's DatasetReader is
-- the one reader that validates them, at upload and in training.
ALTER TABLE datasets
    ADD COLUMN text_pair_field  text,
    ADD COLUMN prompt_field     text,
    ADD COLUMN completion_field text,
    ADD COLUMN task             text CHECK (task IN ('text-classification', 'causal-lm', 'image-classification'));

-- Reports written by the api's former reader have another shape and missed what training refuses (undecodable
-- images, duplicate keys): validate every dataset again with the engine's reader at the next start.
UPDATE datasets SET status = 'validating', report = NULL;
