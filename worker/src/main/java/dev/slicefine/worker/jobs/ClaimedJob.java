package dev.slicefine.worker.jobs;

import java.util.UUID;

/**
 * A job this worker holds the lease of: what the runner needs to materialise and run it. kind: "train" or "evaluate"
 * (an evaluation run; sourceJobId: the fine-tuning job whose result it evaluates, or null for a base model).
 */
public record ClaimedJob(UUID id, UUID tenantId, UUID modelId, UUID datasetId, UUID evalDatasetId, String config,
                         int attempt, int maxAttempts, String checkpoint, String owner, String kind, UUID sourceJobId) {
    public boolean isEvaluation() {
        return "evaluate".equals(kind);
    }
}
