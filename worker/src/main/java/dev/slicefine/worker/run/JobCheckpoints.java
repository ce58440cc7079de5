package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A job's checkpoint as blobs: {@code jobs.checkpoint = {"step", "state_safetensors", "state_json", "attempt"}} points
 * at the latest one. A resumed attempt restores it, training replaces it (releasing the previous blobs), and the end of
 * the job releases it, since a finished job never resumes.
 */
final class JobCheckpoints {
    private static final Logger log = LoggerFactory.getLogger(JobCheckpoints.class);

    private final TransactionTemplate tx;
    private final BlobStore store;
    private final BlobRefs refs;
    private final JobQueue queue;

    JobCheckpoints(TransactionTemplate tx, BlobStore store, BlobRefs refs, JobQueue queue) {
        this.tx = tx;
        this.store = store;
        this.refs = refs;
        this.queue = queue;
    }

    void restoreCheckpoint(ClaimedJob job, Path checkpointDir) throws IOException {
        JsonNode ckpt = JobQueueJson.read(job.checkpoint());
        if (ckpt == null || ckpt.isNull() || !ckpt.has("state_safetensors")) {
            return;
        }
        Path latest = Files.createDirectories(checkpointDir.resolve("latest"));
        try (InputStream a = store.open(ckpt.get("state_safetensors").asText());
             InputStream b = store.open(ckpt.get("state_json").asText())) {
            Files.copy(a, latest.resolve("state.safetensors"));
            Files.copy(b, latest.resolve("state.json"));
        }
        log.info("Job {}: attempt {} resumes from the checkpoint at step {}", job.id(), job.attempt(), ckpt.path("step").asInt());
    }

    /** After the engine wrote checkpointDir/latest: both files become blobs and jobs.checkpoint points at them. */
    void uploadCheckpoint(ClaimedJob job, Path latest, RunState state) {
        try {
            int step = JobQueueJson.JSON.readTree(latest.resolve("state.json").toFile()).get("step").asInt();
            BlobCandidate weights = store.importFile(latest.resolve("state.safetensors"));
            BlobCandidate meta = store.importFile(latest.resolve("state.json"));
            Boolean ok = tx.execute(status -> {
                Optional<String> old = queue.lockLeased(job.id(), job.owner());
                if (old.isEmpty()) {
                    return false;
                }
                refs.acquireAll(List.of(weights, meta));
                Map<String, Object> ckpt = new LinkedHashMap<>();
                ckpt.put("step", step);
                ckpt.put("state_safetensors", weights.sha256());
                ckpt.put("state_json", meta.sha256());
                ckpt.put("attempt", job.attempt());
                queue.setCheckpoint(job.id(), JobQueueJson.write(ckpt));
                releaseCheckpointBlobs(JobQueueJson.read(old.get()));
                queue.event(job.id(), "checkpoint", null, null, null, "checkpoint written at step " + step, Map.of("step", step));
                return true;
            });
            if (!Boolean.TRUE.equals(ok)) {
                store.discard(weights);
                store.discard(meta);
                state.leaseLost = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload the checkpoint in " + latest, e);
        }
    }

    private void releaseCheckpointBlobs(JsonNode ckpt) {
        if (ckpt == null || ckpt.isNull()) {
            return;
        }
        for (String field : List.of("state_safetensors", "state_json")) {
            if (ckpt.hasNonNull(field)) {
                refs.release(ckpt.get(field).asText());
            }
        }
    }

    boolean endJob(ClaimedJob job, JobStatus to, String code, String message, Map<String, Object> data) {
        return Boolean.TRUE.equals(tx.execute(status -> endJobInTx(job, to, code, message, data)));
    }

    /** Releases the checkpoint blobs (a finished job never resumes) and writes the final status with its events. */
    boolean endJobInTx(ClaimedJob job, JobStatus to, String code, String message, Map<String, Object> data) {
        Optional<String> ckpt = queue.lockLeased(job.id(), job.owner());
        if (ckpt.isEmpty()) {
            return false;
        }
        releaseCheckpointBlobs(JobQueueJson.read(ckpt.get()));
        queue.setCheckpoint(job.id(), null);
        return queue.finish(job.id(), job.owner(), to, code, message, data);
    }
}
