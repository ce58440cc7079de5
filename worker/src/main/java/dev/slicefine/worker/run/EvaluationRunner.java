package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.eval.EvaluationJson;
import dev.slicefine.engine.eval.EvaluationResult;
import dev.slicefine.engine.eval.ExamplePrediction;
import dev.slicefine.engine.eval.ModelEvaluator;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs an evaluation job (kind 'evaluate', claimed from the same queue as training): materialises the base model and
 * the dataset, unpacks the evaluated job's slice diff when there is one, scores every example with the engine's
 * {@link ModelEvaluator}, and stores the scores and each example's prediction with the job's end. Cancel is honoured
 * between batches.
 */
final class EvaluationRunner {
    private static final Logger log = LoggerFactory.getLogger(EvaluationRunner.class);

    private final JobRunner runner;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BlobStore store;
    private final JobQueue queue;
    private final JobInputs inputs;
    private final JobCheckpoints checkpoints;
    private final JobRunner.Settings settings;

    EvaluationRunner(JobRunner runner, JdbcClient jdbc, TransactionTemplate tx, BlobStore store, JobQueue queue,
                     JobInputs inputs, JobCheckpoints checkpoints, JobRunner.Settings settings) {
        this.runner = runner;
        this.jdbc = jdbc;
        this.tx = tx;
        this.store = store;
        this.queue = queue;
        this.inputs = inputs;
        this.checkpoints = checkpoints;
        this.settings = settings;
    }

    /** The evaluation stops between batches: cancelled, or the lease went to another worker. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    void run(ClaimedJob job, ScheduledExecutorService heartbeats) {
        Duration lease = settings.lease();
        long period = Math.max(100, Math.min(lease.toMillis() / 3, settings.heartbeat().toMillis()));
        RunState state = new RunState();
        Path work = settings.workDir().resolve(job.id().toString()).resolve("attempt-" + job.attempt());
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(() -> runner.beat(job, state, lease), 0, period, TimeUnit.MILLISECONDS);
        try {
            JsonNode config = JobQueueJson.read(job.config());
            int maxSeqLen = config == null ? 128 : config.path("max_seq_len").asInt(128);
            int batchSize = config == null ? 16 : config.path("batch_size").asInt(16);
            JobRunner.deleteTree(work);
            Files.createDirectories(work);
            Path model = inputs.materialiseModel(job, work.resolve("model"));
            Path diff = null;
            if (job.sourceJobId() != null) {
                Path result = unpackResult(job.sourceJobId(), work.resolve("result"));
                if (LoadedModel.isSliceDiff(result)) {
                    diff = result;
                } else {
                    model = result; // a full fine-tuning result is a whole checkpoint
                }
            }
            Path dataset = inputs.materialiseDataset(job.datasetId(), work.resolve("data"), "eval", "dataset").file();
            JobTraining.prepareTrainingThread();
            EvaluationResult result;
            try (LoadedModel loaded = LoadedModel.load(model, diff, maxSeqLen, settings.device())) {
                long[] lastCheck = {System.nanoTime()};
                result = ModelEvaluator.evaluate(loaded, dataset, maxSeqLen, batchSize, (done, total) -> {
                    // the heartbeat sees a cancel within its period; between beats, look once a second
                    if (System.nanoTime() - lastCheck[0] > 1_000_000_000L) {
                        lastCheck[0] = System.nanoTime();
                        state.cancelRequested |= cancelRequested(job.id());
                    }
                    if (state.cancelRequested || state.leaseLost) {
                        throw new Stopped();
                    }
                });
                store(job, result, loaded.labels());
            }
            JobRunner.deleteTree(work);
        } catch (Stopped e) {
            if (!state.leaseLost) {
                checkpoints.endJob(job, JobStatus.CANCELLED, null, null, null);
            }
        } catch (Throwable e) {
            if (state.leaseLost) {
                return;
            }
            JobFailure f = JobFailure.of(e);
            log.warn("Evaluation {}: attempt {} failed ({}): {}", job.id(), job.attempt(), f.code, f.getMessage(),
                    f.code.equals("internal") ? e : null);
            JobRunner.writeErrorLog(work, e);
            if (f.retryable && job.attempt() < job.maxAttempts()) {
                queue.requeue(job.id(), job.owner(), f.code, f.getMessage());
            } else {
                checkpoints.endJob(job, JobStatus.FAILED, f.code, f.getMessage(), null);
            }
        } finally {
            beat.cancel(false);
        }
    }

    private boolean cancelRequested(UUID id) {
        return jdbc.sql("SELECT cancel_requested FROM jobs WHERE id = :id").param("id", id).query(Boolean.class)
                .optional().orElse(true);
    }

    /** The evaluated job's artifact (its output folder as a zip), unpacked into dir. */
    private Path unpackResult(UUID sourceJob, Path dir) throws IOException {
        Map<String, Object> row = jdbc.sql("""
                SELECT blob_sha256, metadata->>'method' AS method FROM artifacts WHERE job_id = :j AND kind = 'diff'
                ORDER BY created_at DESC LIMIT 1""").param("j", sourceJob).query().listOfRows().stream().findFirst()
                .orElseThrow(() -> new JobFailure("input_missing", "the evaluated job has no result", false));
        if ("lora".equals(row.get("method"))) {
            throw new JobFailure("evaluation_unsupported",
                    "evaluating a LoRA result is not supported yet: evaluate its merged download as a model", false);
        }
        Files.createDirectories(dir);
        try (InputStream in = store.open((String) row.get("blob_sha256")); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new JobFailure("artifact_invalid", "artifact entry escapes its folder: " + e.getName(), false);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return dir;
    }

    private void store(ClaimedJob job, EvaluationResult result, List<String> labels) {
        ObjectNode metrics = EvaluationJson.metrics(result);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("metrics", metrics);
        Boolean ok = tx.execute(status -> {
            if (queue.lockLeased(job.id(), job.owner()).isEmpty()) {
                return false;
            }
            jdbc.sql("DELETE FROM evaluation_predictions WHERE job_id = :j").param("j", job.id()).update();
            jdbc.sql("""
                    INSERT INTO evaluation_results (job_id, task, metrics) VALUES (:j, :task, CAST(:m AS jsonb))
                    ON CONFLICT (job_id) DO UPDATE SET task = excluded.task, metrics = excluded.metrics, created_at = now()""")
                    .param("j", job.id()).param("task", result.task().id()).param("m", metrics.toString()).update();
            for (ExamplePrediction p : result.predictions()) {
                jdbc.sql("INSERT INTO evaluation_predictions (job_id, idx, data) VALUES (:j, :i, CAST(:d AS jsonb))")
                        .param("j", job.id()).param("i", p.index()).param("d", EvaluationJson.prediction(p, labels).toString())
                        .update();
            }
            queue.event(job.id(), "evaluation", null, null, null, "evaluation finished", Map.of("step", 0, "metrics", metrics));
            if (!checkpoints.endJobInTx(job, JobStatus.SUCCEEDED, null, null, data)) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!Boolean.TRUE.equals(ok)) {
            throw new JobFailure.LeaseLost();
        }
    }
}
