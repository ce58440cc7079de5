package dev.slicefine.worker.run;

import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The engine's typed events as rows: steps and evaluations become job_metrics, every other event a job_events row
 * whose type and data are the event's own ({@link TrainEvent#data()}); a checkpoint is uploaded first and its event
 * written with it. A stop is requested when the job is cancelled, its lease was lost, or the worker shuts down; those
 * flags come from the heartbeat, never from a query per step.
 */
final class JobListener implements TrainListener {
    private final ClaimedJob job;
    private final JdbcClient jdbc;
    private final JobQueue queue;
    private final RunState state;
    private final BooleanSupplier shuttingDown;
    private final CheckpointSink checkpoints;

    interface CheckpointSink {
        void checkpointWritten();
    }

    JobListener(ClaimedJob job, JdbcClient jdbc, JobQueue queue, RunState state, BooleanSupplier shuttingDown,
                CheckpointSink checkpoints) {
        this.job = job;
        this.jdbc = jdbc;
        this.queue = queue;
        this.state = state;
        this.shuttingDown = shuttingDown;
        this.checkpoints = checkpoints;
    }

    @Override
    public void onEvent(TrainEvent event) {
        if (state.leaseLost) {
            return;
        }
        if (event instanceof TrainEvent.StepMetrics m) {
            step(m);
        } else if (event instanceof TrainEvent.Evaluation e) {
            Map<String, Double> finite = new LinkedHashMap<>();
            e.metrics().forEach((k, v) -> finite.put(k, finiteOrNull(v)));
            jdbc.sql("""
                    INSERT INTO job_metrics (job_id, step, split, loss, eval_metrics, attempt)
                    VALUES (:job, :step, 'eval', :loss, CAST(:metrics AS jsonb), :attempt)""")
                    .param("job", job.id()).param("step", e.step()).param("loss", finite.get("loss"))
                    .param("metrics", JobQueueJson.write(finite)).param("attempt", job.attempt()).update();
            queue.event(job.id(), e.type(), null, null, null, null, new TrainEvent.Evaluation(e.step(), finite).data());
        } else if (event instanceof TrainEvent.Checkpoint) {
            checkpoints.checkpointWritten();
        } else {
            String code = event instanceof TrainEvent.Warning w ? w.code() : null;
            String message = event instanceof TrainEvent.Warning w ? w.message()
                    : event instanceof TrainEvent.Started s && s.startStep() > 0
                    ? "resumed from the checkpoint at step " + s.startStep() : null;
            queue.event(job.id(), event.type(), null, null, code, message, event.data());
        }
    }

    private void step(TrainEvent.StepMetrics m) {
        jdbc.sql("""
                INSERT INTO job_metrics (job_id, step, epoch, split, loss, learning_rate, tokens_per_second, throughput,
                                         throughput_unit, attempt)
                VALUES (:job, :step, :epoch, 'train', :loss, :lr, :tps, :throughput, :unit, :attempt)""")
                .param("job", job.id()).param("step", m.step()).param("epoch", (double) m.epoch())
                .param("loss", finiteOrNull(m.loss())).param("lr", m.lr()).param("tps", finiteOrNull(m.tokensPerSecond()))
                .param("throughput", finiteOrNull(m.throughput())).param("unit", m.throughputUnit())
                .param("attempt", job.attempt()).update();
    }

    @Override
    public boolean stopRequested() {
        return state.cancelRequested || state.leaseLost || shuttingDown.getAsBoolean();
    }

    private static Double finiteOrNull(Double v) {
        return v != null && Double.isFinite(v) ? v : null;
    }
}
