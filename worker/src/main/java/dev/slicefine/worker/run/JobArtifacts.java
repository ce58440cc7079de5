package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.storage.Archives;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The artifact step: the engine's output folder becomes one zip blob (artifact kind {@code diff}), recorded and
 * announced in the same transaction that ends the job as succeeded (with its final evaluation queued when it has
 * held-out data), and only while this worker holds the lease.
 */
final class JobArtifacts {
    private final TransactionTemplate tx;
    private final BlobStore store;
    private final BlobRefs refs;
    private final JobQueue queue;
    private final JobCheckpoints checkpoints;

    JobArtifacts(TransactionTemplate tx, BlobStore store, BlobRefs refs, JobQueue queue, JobCheckpoints checkpoints) {
        this.tx = tx;
        this.store = store;
        this.refs = refs;
        this.queue = queue;
        this.checkpoints = checkpoints;
    }

    /** The output folder packed as one zip blob candidate, with each file's path, size and sha256. */
    record PackedArtifact(BlobCandidate blob, List<Archives.Entry> files) {}

    /**
     * Zips the folder next to it with the shared {@link Archives} writer (streamed: a multi-GB full fine-tune needs no
     * heap) and imports the zip into the store; the zip itself goes as soon as the store holds its bytes.
     */
    static PackedArtifact pack(BlobStore store, Path folder) throws IOException {
        Path zip = folder.resolveSibling("artifact.zip");
        try {
            List<Archives.Entry> files = Archives.zip(folder, zip);
            return new PackedArtifact(store.importFile(zip), files);
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    /** Throws {@link JobFailure.LeaseLost} (and writes nothing) when the lease went to another worker meanwhile. */
    void storeArtifactAndSucceed(ClaimedJob job, FineTuneConfig config, FineTune.Outcome outcome) throws IOException {
        PackedArtifact packed = pack(store, outcome.artifact());
        BlobCandidate blob = packed.blob();
        ObjectNode manifest = outcome.manifest();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", "zip");
        metadata.put("method", config.method());
        metadata.put("task", config.task().id());
        metadata.put("files", packed.files());
        metadata.put("manifest", manifest);
        String filename = "slicefine-" + job.id().toString().substring(0, 8) + "-" + config.method() + ".zip";
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("metrics", manifest == null ? null : manifest.get("metrics"));
        data.put("steps", outcome.result().steps());
        Boolean ok = tx.execute(status -> {
            if (queue.lockLeased(job.id(), job.owner()).isEmpty()) {
                return false;
            }
            refs.acquire(blob);
            UUID artifact = UUID.randomUUID();
            queue.insertArtifact(artifact, job, "diff", blob.sha256(), blob.size(), filename, metadata);
            queue.event(job.id(), "artifact", null, null, null, "artifact " + filename + " stored",
                    Map.of("artifact_id", artifact.toString(), "kind", "diff", "sha256", blob.sha256(), "size", blob.size()));
            UUID evaluation = queueFinalEvaluation(job, config);
            if (evaluation != null) {
                data.put("evaluation_id", evaluation.toString());
            }
            if (!checkpoints.endJobInTx(job, JobStatus.SUCCEEDED, null, null, data)) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!Boolean.TRUE.equals(ok)) {
            store.discard(blob);
            throw new JobFailure.LeaseLost();
        }
    }

    /**
     * A job with an eval dataset or a validation_split gets its final evaluation, queued in the transaction that ends
     * it: the result on that dataset (or the same held-out split of the training data: its ratio and the job's seed), at
     * the job's max_seq_len and batch size. Null when the job has no held-out data.
     */
    private UUID queueFinalEvaluation(ClaimedJob job, FineTuneConfig config) {
        if (job.evalDatasetId() == null && !(config.validationSplit() > 0)) {
            return null;
        }
        Map<String, Object> evalConfig = new LinkedHashMap<>();
        evalConfig.put("max_seq_len", config.train().maxSeqLen());
        evalConfig.put("batch_size", config.train().batchSize());
        evalConfig.put("final", true);
        if (job.evalDatasetId() == null) {
            evalConfig.put("validation_split", config.validationSplit());
            evalConfig.put("seed", config.train().seed());
        }
        return queue.queueFinalEvaluation(job, job.evalDatasetId() != null ? job.evalDatasetId() : job.datasetId(), evalConfig);
    }
}
