package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.ComputeDevice;
import dev.slicefine.engine.data.Dataset;
import dev.slicefine.engine.data.DatasetSplit;
import dev.slicefine.engine.eval.EvaluationJson;
import dev.slicefine.engine.eval.EvaluationResult;
import dev.slicefine.engine.eval.ExamplePrediction;
import dev.slicefine.engine.eval.ModelEvaluator;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs an evaluation job (kind 'evaluate', claimed from the same queue as training): materialises the base model and
 * the dataset, unpacks the evaluated job's result when there is one (a slice diff or a LoRA adapter, added to the base
 * in memory; a full fine-tuning result is a whole checkpoint), takes the held-out split when the config names one (a
 * job's final evaluation on its {@code validation_split}: the engine's split with the job's seed, so the same
 * examples the training held out), scores every example with the engine's {@link ModelEvaluator}, and stores the
 * scores and each example's prediction with the job's end. Cancel is honoured between batches.
 */
final class EvaluationRunner {
    private final JobRunner runner;
    private final TransactionTemplate tx;
    private final BlobStore store;
    private final JobQueue queue;
    private final JobInputs inputs;
    private final JobCheckpoints checkpoints;
    private final ComputeDevice device;

    EvaluationRunner(JobRunner runner, TransactionTemplate tx, BlobStore store, JobQueue queue, JobInputs inputs,
                     JobCheckpoints checkpoints, ComputeDevice device) {
        this.runner = runner;
        this.tx = tx;
        this.store = store;
        this.queue = queue;
        this.inputs = inputs;
        this.checkpoints = checkpoints;
        this.device = device;
    }

    /** The evaluation stops between batches: cancelled, or the lease went to another worker. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    void run(ClaimedJob job, ScheduledExecutorService heartbeats) {
        LeasedAttempt attempt = runner.hold(job, heartbeats);
        RunState state = attempt.state;
        Path work = attempt.work;
        try {
            JsonNode config = JobQueueJson.read(job.config());
            int maxSeqLen = config == null ? 128 : config.path("max_seq_len").asInt(128);
            int batchSize = config == null ? 16 : config.path("batch_size").asInt(16);
            double split = config == null ? 0 : config.path("validation_split").asDouble(0);
            JobRunner.deleteTree(work);
            Files.createDirectories(work);
            Path model = inputs.materialiseModel(job, work.resolve("model"));
            Path diff = null;
            if (job.sourceJobId() != null) {
                Path result = unpackResult(job.sourceJobId(), work.resolve("result"));
                if (LoadedModel.isDiff(result)) {
                    diff = result;
                } else {
                    model = result; // a full fine-tuning result is a whole checkpoint
                }
            }
            JobInputs.Materialised dataset = inputs.materialiseDataset(job.datasetId(), work.resolve("data"), "eval", "dataset");
            JobTraining.prepareTrainingThread();
            EvaluationResult result;
            try (LoadedModel loaded = LoadedModel.load(model, diff, maxSeqLen, device)) {
                Dataset data = ModelEvaluator.read(loaded, dataset.file(), dataset.fields(), maxSeqLen);
                if (split > 0) {
                    data = DatasetSplit.split(data, split, config.path("seed").asLong(0)).test();
                }
                long[] lastCheck = {System.nanoTime()};
                result = ModelEvaluator.evaluate(loaded, data, maxSeqLen, batchSize, (done, total) -> {
                    // the heartbeat sees a cancel within its period; between beats, look once a second
                    if (System.nanoTime() - lastCheck[0] > 1_000_000_000L) {
                        lastCheck[0] = System.nanoTime();
                        state.cancelRequested |= queue.cancelRequested(job.id());
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
            attempt.fail(e);
        } finally {
            attempt.close();
        }
    }

    /** The evaluated job's artifact (its output folder as a zip), unpacked into dir. */
    private Path unpackResult(UUID sourceJob, Path dir) throws IOException {
        String sha = queue.resultBlob(sourceJob)
                .orElseThrow(() -> new JobFailure("input_missing", "the evaluated job has no result", false));
        Files.createDirectories(dir);
        try (InputStream in = store.open(sha); ZipInputStream zip = new ZipInputStream(in)) {
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
        Map<Integer, String> predictions = new LinkedHashMap<>();
        for (ExamplePrediction p : result.predictions()) {
            predictions.put(p.index(), EvaluationJson.prediction(p, labels).toString());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("metrics", metrics);
        Boolean ok = tx.execute(status -> {
            if (queue.lockLeased(job.id(), job.owner()).isEmpty()) {
                return false;
            }
            queue.storeEvaluation(job.id(), result.task().id(), metrics.toString(), predictions);
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
