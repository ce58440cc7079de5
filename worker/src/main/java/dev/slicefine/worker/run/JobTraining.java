package dev.slicefine.worker.run;

import dev.slicefine.engine.ComputeDevice;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The training step: runs the engine on this thread with a {@link JobListener} (metrics, events, cancel and shutdown
 * between steps) and uploads each checkpoint the engine writes before training goes on.
 */
final class JobTraining {
    private final JdbcClient jdbc;
    private final JobQueue queue;
    private final JobCheckpoints checkpoints;
    private final ComputeDevice device;

    JobTraining(JdbcClient jdbc, JobQueue queue, JobCheckpoints checkpoints, ComputeDevice device) {
        this.device = device;
        this.jdbc = jdbc;
        this.queue = queue;
        this.checkpoints = checkpoints;
    }

    FineTune.Outcome train(ClaimedJob job, FineTuneSpec spec, Path checkpointDir, RunState state,
                           BooleanSupplier shuttingDown) {
        JobListener listener = new JobListener(job, jdbc, queue, state, shuttingDown,
                () -> checkpoints.uploadCheckpoint(job, checkpointDir.resolve("latest"), state));
        prepareTrainingThread();
        return FineTune.run(spec, listener, device);
    }

    /**
     * PyTorch's grad mode is per thread and on by default; DJL switches it off only on the thread that loaded the
     * engine. The trainer's in-place optimizer updates need it off, so every worker thread switches it off itself.
     */
    static void prepareTrainingThread() {
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
}
