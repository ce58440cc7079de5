package dev.slicefine.worker.run;

import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.JobStatus;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a claimed job, training or evaluation alike: its work dir, the {@link RunState} its heartbeat keeps
 * (see {@link JobRunner#hold}), and the one rule for a failed attempt (retry or fail). Close it to stop the heartbeat.
 */
final class LeasedAttempt implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeasedAttempt.class);

    final ClaimedJob job;
    final Path work;
    final RunState state = new RunState();
    private final JobQueue queue;
    private final JobCheckpoints checkpoints;
    private volatile ScheduledFuture<?> beat;

    LeasedAttempt(ClaimedJob job, Path work, JobQueue queue, JobCheckpoints checkpoints) {
        this.job = job;
        this.work = work;
        this.queue = queue;
        this.checkpoints = checkpoints;
    }

    void beating(ScheduledFuture<?> heartbeat) {
        this.beat = heartbeat;
    }

    /**
     * After the attempt threw: nothing more is written when the lease was lost; otherwise the error is logged (with
     * error.log in the work dir) and the job goes back to the queue when the failure is retryable and attempts remain,
     * else ends as failed. Returns the failure when this call wrote the job's failed end, else null.
     */
    JobFailure fail(Throwable e) {
        String what = job.isEvaluation() ? "Evaluation" : "Job";
        if (state.leaseLost) {
            log.warn("{} {}: attempt {} failed after losing its lease: {}", what, job.id(), job.attempt(), e.toString());
            return null;
        }
        JobFailure f = JobFailure.of(e);
        log.warn("{} {}: attempt {} failed ({}): {}", what, job.id(), job.attempt(), f.code, f.getMessage(),
                f.code.equals("internal") ? e : null);
        JobRunner.writeErrorLog(work, e);
        if (f.retryable && job.attempt() < job.maxAttempts()) {
            queue.requeue(job.id(), job.owner(), f.code, f.getMessage());
            return null;
        }
        return checkpoints.endJob(job, JobStatus.FAILED, f.code, f.getMessage(), null) ? f : null;
    }

    @Override
    public void close() {
        if (beat != null) {
            beat.cancel(false);
        }
    }
}
