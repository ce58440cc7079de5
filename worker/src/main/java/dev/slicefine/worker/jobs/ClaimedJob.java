package dev.slicefine.worker.jobs;

import java.util.UUID;

/** A job this worker holds the lease of: what the runner needs to materialise and run it. */
public record ClaimedJob(UUID id, UUID tenantId, UUID modelId, UUID datasetId, UUID evalDatasetId, String config,
                         int attempt, int maxAttempts, String checkpoint, String owner) {}
