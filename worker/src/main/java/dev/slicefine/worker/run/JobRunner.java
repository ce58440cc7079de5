package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.data.DatasetException;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.StoredConfig;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one claimed job through its steps: {@link JobInputs} (model, datasets and checkpoint from storage into a work
 * dir), {@link JobTraining} (the engine, with events, metrics and checkpoint uploads) and {@link JobArtifacts} (the
 * output as one zip blob, ending the job as succeeded). It holds the lease with a heartbeat, turns every failure into
 * a typed {@link JobFailure} (retry or fail), and ends cancelled and failed jobs through {@link JobCheckpoints}.
 */
public class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobQueue queue;
    private final Webhooks webhooks;
    private final Settings settings;
    private final JobCheckpoints checkpoints;
    private final JobInputs inputs;
    private final JobTraining training;
    private final JobArtifacts artifacts;
    private final EvaluationRunner evaluations;

    /**
     * How long a claimed job's lease lasts, how often it is renewed (at most lease/3), where work dirs go, and the
     * device jobs train and evaluate on.
     */
    public record Settings(Duration lease, Duration heartbeat, Path workDir, Duration checkpointInterval,
                           dev.slicefine.engine.ComputeDevice device) {}

    public JobRunner(JdbcClient jdbc, TransactionTemplate tx, BlobStore store, BlobRefs refs, JobQueue queue,
                     Webhooks webhooks, Settings settings) {
        this.queue = queue;
        this.webhooks = webhooks;
        this.settings = settings;
        this.checkpoints = new JobCheckpoints(tx, store, refs, queue);
        this.inputs = new JobInputs(store, queue, checkpoints);
        this.training = new JobTraining(jdbc, queue, checkpoints, settings.device());
        this.artifacts = new JobArtifacts(tx, store, refs, queue, checkpoints);
        this.evaluations = new EvaluationRunner(this, tx, store, queue, inputs, checkpoints, settings.device());
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
        LeasedAttempt attempt = hold(job, heartbeats);
        RunState state = attempt.state;
        Path work = attempt.work;
        String webhook = null;
        JobStatus ended = null;
        String errorCode = null;
        String errorMessage = null;
        try {
            webhook = StoredConfig.webhookUrl(job.config());
            // a job that does not set train.checkpoint_minutes checkpoints at this worker's interval
            FineTuneConfig config = StoredConfig.parse(job.config())
                    .withDefaultCheckpointMinutes(settings.checkpointInterval().toMillis() / 60_000.0);
            deleteTree(work);
            Files.createDirectories(work);
            JobInputs.Inputs in = inputs.materialise(job, work);
            Path out = work.resolve("out");
            FineTuneSpec spec = config.toSpec(in.model(), in.dataset(), in.eval(), out, in.checkpointDir())
                    .withFields(in.fields(), in.evalFields());
            if (state.cancelRequested) {
                ended = JobStatus.CANCELLED;
            } else {
                FineTune.Outcome outcome = training.train(job, spec, in.checkpointDir(), state, shuttingDown);
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
                    artifacts.storeArtifactAndSucceed(job, config, outcome);
                    ended = JobStatus.SUCCEEDED;
                }
            }
            if (ended == JobStatus.CANCELLED && !checkpoints.endJob(job, JobStatus.CANCELLED, null, null, null)) {
                return;
            }
            deleteTree(work);
        } catch (Throwable e) {
            JobFailure f = attempt.fail(e);
            if (f == null) {
                return;
            }
            ended = JobStatus.FAILED;
            errorCode = f.code;
            errorMessage = f.getMessage();
        } finally {
            attempt.close();
        }
        if (webhook != null && ended != null) {
            webhooks.jobEnded(job.id(), webhook, ended.id(), errorCode, errorMessage);
        }
    }

    /** Starts an attempt at {@code job}: its work dir and the heartbeat that holds the lease until the attempt is closed. */
    LeasedAttempt hold(ClaimedJob job, ScheduledExecutorService heartbeats) {
        Duration lease = settings.lease();
        long period = Math.max(100, Math.min(lease.toMillis() / 3, settings.heartbeat().toMillis()));
        Path work = settings.workDir().resolve(job.id().toString()).resolve("attempt-" + job.attempt());
        LeasedAttempt attempt = new LeasedAttempt(job, work, queue, checkpoints);
        attempt.beating(heartbeats.scheduleAtFixedRate(() -> beat(job, attempt.state, lease), 0, period, TimeUnit.MILLISECONDS));
        return attempt;
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
