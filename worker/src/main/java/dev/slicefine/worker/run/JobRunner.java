package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.data.DatasetException;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.worker.WorkerProperties;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.FieldError;
import dev.slicefine.worker.jobs.JobConfig;
import dev.slicefine.worker.jobs.JobConfigException;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import dev.slicefine.worker.storage.BlobCandidate;
import dev.slicefine.worker.storage.BlobRefs;
import dev.slicefine.worker.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one claimed job: materialises its model and datasets from storage into a work dir, restores its checkpoint
 * (a resumed attempt), runs the engine with a {@link JobListener}, uploads each checkpoint, and on success stores the
 * artifact (the output folder as one zip blob, artifact kind {@code diff}) and ends the job; every outcome is a status.
 */
public class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BlobStore store;
    private final BlobRefs refs;
    private final JobQueue queue;
    private final Webhooks webhooks;
    private final WorkerProperties properties;
    private final EvaluationRunner evaluations;

    public JobRunner(JdbcClient jdbc, TransactionTemplate tx, BlobStore store, BlobRefs refs, JobQueue queue,
                     Webhooks webhooks, WorkerProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.store = store;
        this.refs = refs;
        this.queue = queue;
        this.webhooks = webhooks;
        this.properties = properties;
        this.evaluations = new EvaluationRunner(this, jdbc, tx, store, queue, properties);
    }

    /** A job's failure with a machine-readable code; {@code retryable}: another attempt may succeed. */
    static final class JobFailure extends RuntimeException {
        final String code;
        final boolean retryable;

        JobFailure(String code, String message, boolean retryable) {
            super(message);
            this.code = code;
            this.retryable = retryable;
        }
    }

    /**
     * Runs {@code job} to its end on this thread. {@code shuttingDown} asks the engine to stop at the next step; the
     * job then goes back to the queue and resumes elsewhere from the checkpoint written on the way out.
     */
    public void run(ClaimedJob job, ScheduledExecutorService heartbeats, BooleanSupplier shuttingDown) {
        if (job.isEvaluation()) {
            evaluations.run(job, heartbeats);
            return;
        }
        Duration lease = properties.worker().lease();
        long period = Math.max(100, Math.min(lease.toMillis() / 3, properties.worker().heartbeat().toMillis()));
        RunState state = new RunState();
        Path work = properties.workDir().resolve(job.id().toString()).resolve("attempt-" + job.attempt());
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(() -> beat(job, state, lease), 0, period, TimeUnit.MILLISECONDS);
        String webhook = null;
        JobStatus ended = null;
        String errorCode = null;
        String errorMessage = null;
        try {
            JobConfig config = JobConfig.parse(job.config());
            webhook = config.webhookUrl();
            List<FieldError> errors = config.validate();
            if (!errors.isEmpty()) {
                throw new JobFailure("config_invalid", errors.stream().map(e -> e.field() + ": " + e.message())
                        .reduce((a, b) -> a + "; " + b).orElse(""), false);
            }
            deleteTree(work);
            Files.createDirectories(work);
            Path model = materialiseModel(job, work.resolve("model"));
            Path dataset = materialiseDataset(job.datasetId(), work.resolve("data"), "train", "dataset");
            Path eval = job.evalDatasetId() == null ? null : materialiseDataset(job.evalDatasetId(), work.resolve("data"), "eval", "eval dataset");
            Path checkpointDir = work.resolve("checkpoints");
            restoreCheckpoint(job, checkpointDir);
            Path out = work.resolve("out");
            FineTuneSpec spec = config.toSpec(model, dataset, eval, out, checkpointDir);
            if (state.cancelRequested) {
                ended = JobStatus.CANCELLED;
            } else {
                JobListener listener = new JobListener(job, jdbc, queue, state, shuttingDown,
                        () -> uploadCheckpoint(job, checkpointDir.resolve("latest"), state));
                prepareTrainingThread();
                FineTune.Outcome outcome = FineTune.run(spec, listener);
                if (state.leaseLost) {
                    log.warn("Job {}: lost its lease; dropping attempt {} without writing its end", job.id(), job.attempt());
                    return;
                }
                if (outcome.result().interrupted()) {
                    if (state.cancelRequested) {
                        ended = JobStatus.CANCELLED;
                    } else {
                        queue.requeue(job.id(), job.owner(), "worker_shutdown", "worker " + job.owner() + " shut down");
                        return;
                    }
                } else {
                    storeArtifactAndSucceed(job, config, outcome);
                    ended = JobStatus.SUCCEEDED;
                }
            }
            if (ended == JobStatus.CANCELLED && !endJob(job, JobStatus.CANCELLED, null, null, null)) {
                return;
            }
            deleteTree(work);
        } catch (Throwable e) {
            JobFailure f = classify(e);
            if (state.leaseLost) {
                log.warn("Job {}: attempt {} failed after losing its lease: {}", job.id(), job.attempt(), e.toString());
                return;
            }
            log.warn("Job {}: attempt {} failed ({}): {}", job.id(), job.attempt(), f.code, f.getMessage(),
                    f.code.equals("internal") ? e : null);
            writeErrorLog(work, e);
            if (f.retryable && job.attempt() < job.maxAttempts()) {
                queue.requeue(job.id(), job.owner(), f.code, f.getMessage());
                return;
            }
            if (!endJob(job, JobStatus.FAILED, f.code, f.getMessage(), null)) {
                return;
            }
            ended = JobStatus.FAILED;
            errorCode = f.code;
            errorMessage = f.getMessage();
        } finally {
            beat.cancel(false);
        }
        if (webhook != null && ended != null) {
            webhooks.jobEnded(job.id(), webhook, ended.id(), errorCode, errorMessage);
        }
    }

    /**
     * PyTorch's grad mode is per thread and on by default; DJL switches it off only on the thread that loaded the
     * engine. The trainer's in-place optimizer updates need it off, so every worker thread switches it off itself.
     */
    static void prepareTrainingThread() {
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    void beat(ClaimedJob job, RunState state, Duration lease) {
        try {
            Optional<Boolean> cancel = queue.heartbeat(job.id(), job.owner(), lease);
            if (cancel.isEmpty()) {
                state.leaseLost = true;
            } else if (cancel.get()) {
                state.cancelRequested = true;
            }
        } catch (RuntimeException e) {
            log.warn("Job {}: heartbeat failed: {}", job.id(), e.toString());
        }
    }

    // ---------------------------------------------------------------- inputs

    Path materialiseModel(ClaimedJob job, Path dir) throws IOException {
        if (job.modelId() == null) {
            throw new JobFailure("input_missing", "the job's model was deleted", false);
        }
        List<Map<String, Object>> files = jdbc.sql("SELECT path, blob_sha256 FROM model_files WHERE model_id = :m ORDER BY path")
                .param("m", job.modelId()).query().listOfRows();
        if (files.isEmpty()) {
            throw new JobFailure("input_missing", "model " + job.modelId() + " has no files", false);
        }
        Files.createDirectories(dir);
        for (Map<String, Object> f : files) {
            Path target = dir.resolve((String) f.get("path")).normalize();
            if (!target.startsWith(dir)) {
                throw new JobFailure("model_invalid", "model file path escapes the model folder: " + f.get("path"), false);
            }
            Files.createDirectories(target.getParent());
            copyBlob((String) f.get("blob_sha256"), target);
        }
        return dir;
    }

    Path materialiseDataset(UUID id, Path dir, String base, String what) throws IOException {
        if (id == null) {
            throw new JobFailure("input_missing", "the job's " + what + " was deleted", false);
        }
        Map<String, Object> row = jdbc.sql("SELECT format, filename, blob_sha256 FROM datasets WHERE id = :id")
                .param("id", id).query().listOfRows().stream().findFirst()
                .orElseThrow(() -> new JobFailure("input_missing", "the job's " + what + " was deleted", false));
        Files.createDirectories(dir);
        Path target = dir.resolve(base + extension((String) row.get("filename"), (String) row.get("format")));
        copyBlob((String) row.get("blob_sha256"), target);
        return target;
    }

    /** The original file's extension (the engine picks its reader by it), else the one its format implies. */
    static String extension(String filename, String format) {
        String lower = filename == null ? "" : filename.toLowerCase(java.util.Locale.ROOT);
        for (String ext : List.of(".tar.gz", ".jsonl", ".csv", ".zip", ".tar", ".tgz")) {
            if (lower.endsWith(ext)) {
                return ext;
            }
        }
        return switch (format) {
            case "csv" -> ".csv";
            case "imagefolder" -> ".zip";
            default -> ".jsonl";
        };
    }

    /** A hard link to the blob where the file system allows it (models are large), else a copy. */
    void copyBlob(String sha, Path target) throws IOException {
        Files.deleteIfExists(target);
        if (!store.exists(sha)) {
            throw new JobFailure("storage_error", "blob " + sha + " is missing from storage", true);
        }
        try {
            Files.createLink(target, store.localFile(sha));
        } catch (IOException | UnsupportedOperationException e) {
            try (InputStream in = store.open(sha)) {
                Files.copy(in, target);
            }
        }
    }

    private void restoreCheckpoint(ClaimedJob job, Path checkpointDir) throws IOException {
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

    // ---------------------------------------------------------------- checkpoints

    /** After the engine wrote checkpointDir/latest: both files become blobs and jobs.checkpoint points at them. */
    private void uploadCheckpoint(ClaimedJob job, Path latest, RunState state) {
        try {
            int step = JobQueueJson.JSON.readTree(latest.resolve("state.json").toFile()).get("step").asInt();
            BlobCandidate weights = store.importFile(latest.resolve("state.safetensors"));
            BlobCandidate meta = store.importFile(latest.resolve("state.json"));
            Boolean ok = tx.execute(status -> {
                Optional<String> old = jdbc.sql("""
                        SELECT coalesce(checkpoint::text, 'null') FROM jobs
                        WHERE id = :id AND lease_owner = :owner AND status = 'running' FOR UPDATE""")
                        .param("id", job.id()).param("owner", job.owner()).query(String.class).optional();
                if (old.isEmpty()) {
                    return false;
                }
                refs.acquireAll(List.of(weights, meta));
                Map<String, Object> ckpt = new LinkedHashMap<>();
                ckpt.put("step", step);
                ckpt.put("state_safetensors", weights.sha256());
                ckpt.put("state_json", meta.sha256());
                ckpt.put("attempt", job.attempt());
                jdbc.sql("UPDATE jobs SET checkpoint = CAST(:c AS jsonb), updated_at = now() WHERE id = :id")
                        .param("c", JobQueueJson.write(ckpt)).param("id", job.id()).update();
                releaseCheckpointBlobs(JobQueueJson.read(old.get()));
                queue.event(job.id(), "checkpoint", null, null, null, "checkpoint written at step " + step, ckpt);
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

    // ---------------------------------------------------------------- the end

    private void storeArtifactAndSucceed(ClaimedJob job, JobConfig config, FineTune.Outcome outcome) throws IOException {
        Path folder = outcome.artifact();
        Path zip = folder.resolveSibling("artifact.zip");
        List<Map<String, Object>> files = zipFolder(folder, zip);
        BlobCandidate blob = store.importFile(zip);
        ObjectNode manifest = outcome.manifest();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", "zip");
        metadata.put("method", config.method());
        metadata.put("task", config.task());
        metadata.put("files", files);
        metadata.put("manifest", manifest);
        String filename = "slicefine-" + job.id().toString().substring(0, 8) + "-" + config.method() + ".zip";
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("metrics", manifest == null ? null : manifest.get("metrics"));
        data.put("steps", outcome.result().steps());
        Boolean ok = tx.execute(status -> {
            if (!holdsLease(job)) {
                return false;
            }
            refs.acquire(blob);
            UUID artifact = UUID.randomUUID();
            jdbc.sql("""
                    INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename, metadata)
                    VALUES (:id, :tenant, :job, 'diff', :sha, :size, :filename, CAST(:meta AS jsonb))""")
                    .param("id", artifact).param("tenant", job.tenantId()).param("job", job.id())
                    .param("sha", blob.sha256()).param("size", blob.size()).param("filename", filename)
                    .param("meta", JobQueueJson.write(metadata)).update();
            queue.event(job.id(), "artifact", null, null, null, "artifact " + filename + " stored",
                    Map.of("artifact_id", artifact.toString(), "kind", "diff", "sha256", blob.sha256(), "size", blob.size()));
            if (!endJobInTx(job, JobStatus.SUCCEEDED, null, null, data)) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!Boolean.TRUE.equals(ok)) {
            store.discard(blob);
            throw new LeaseLost();
        }
    }

    /** The lease went to someone else while finishing: nothing of this attempt is written. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("the lease was lost", null, false, false);
        }
    }

    boolean holdsLease(ClaimedJob job) {
        return jdbc.sql("SELECT 1 FROM jobs WHERE id = :id AND lease_owner = :owner AND status = 'running' FOR UPDATE")
                .param("id", job.id()).param("owner", job.owner()).query(Integer.class).optional().isPresent();
    }

    boolean endJob(ClaimedJob job, JobStatus to, String code, String message, Map<String, Object> data) {
        return Boolean.TRUE.equals(tx.execute(status -> endJobInTx(job, to, code, message, data)));
    }

    /** Releases the checkpoint blobs (a finished job never resumes) and writes the final status with its events. */
    boolean endJobInTx(ClaimedJob job, JobStatus to, String code, String message, Map<String, Object> data) {
        Optional<String> ckpt = jdbc.sql("""
                SELECT coalesce(checkpoint::text, 'null') FROM jobs
                WHERE id = :id AND lease_owner = :owner AND status = 'running' FOR UPDATE""")
                .param("id", job.id()).param("owner", job.owner()).query(String.class).optional();
        if (ckpt.isEmpty()) {
            return false;
        }
        releaseCheckpointBlobs(JobQueueJson.read(ckpt.get()));
        jdbc.sql("UPDATE jobs SET checkpoint = NULL WHERE id = :id").param("id", job.id()).update();
        return queue.finish(job.id(), job.owner(), to, code, message, data);
    }

    static JobFailure classify(Throwable e) {
        if (e instanceof JobFailure f) {
            return f;
        }
        if (e instanceof LeaseLost) {
            return new JobFailure("lease_lost", e.getMessage(), false);
        }
        if (e instanceof JobConfigException c) {
            return new JobFailure("config_invalid", c.getMessage(), false);
        }
        if (e instanceof DatasetException d) {
            return new JobFailure("dataset_invalid", d.getMessage(), false);
        }
        if (e instanceof ConfigException || e instanceof CheckpointException) {
            return new JobFailure("model_invalid", e.getMessage(), false);
        }
        String msg = String.valueOf(e.getMessage());
        if (e instanceof IllegalStateException && msg.startsWith("the loss became")) {
            return new JobFailure("training_diverged", msg, false);
        }
        if (e instanceof IllegalArgumentException) {
            return new JobFailure("config_invalid", msg, false);
        }
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof DataAccessException
                || e instanceof SQLException) {
            return new JobFailure("infrastructure_error", e.getClass().getSimpleName() + ": " + msg, true);
        }
        if (e instanceof OutOfMemoryError) {
            return new JobFailure("out_of_memory", "the worker ran out of memory: " + msg, true);
        }
        return new JobFailure("internal", "internal error (" + e.getClass().getSimpleName() + "): " + msg, false);
    }

    // ---------------------------------------------------------------- files

    /** Zips the folder (safetensors stored, the rest deflated); returns each file's path, size and sha256. */
    static List<Map<String, Object>> zipFolder(Path folder, Path zip) throws IOException {
        List<Map<String, Object>> files = new ArrayList<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Path p : paths) {
                String name = folder.relativize(p).toString().replace('\\', '/');
                byte[] bytes = Files.readAllBytes(p);
                ZipEntry entry = new ZipEntry(name);
                if (name.endsWith(".safetensors")) {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(bytes.length);
                    entry.setCompressedSize(bytes.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(bytes);
                out.closeEntry();
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("path", name);
                f.put("size", (long) bytes.length);
                f.put("sha256", sha256(bytes));
                files.add(f);
            }
        }
        return files;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeErrorLog(Path work, Throwable e) {
        try {
            Files.createDirectories(work);
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            Files.writeString(work.resolve("error.log"), sw.toString());
        } catch (IOException ignored) {
            // the job's error is in the database anyway
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
