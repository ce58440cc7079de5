package dev.slicefine.worker.run;

import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The engine's reports as rows: steps and evaluations become job_metrics, slice moves, checkpoints and early stops
 * become job_events. A stop is requested when the job is cancelled, its lease was lost, or the worker shuts down;
 * those flags come from the heartbeat, never from a query per step.
 */
final class JobListener implements TrainListener {
    /** SliceFineMethod's move sentence: "move 3: column slices at position 8 (rank 4) in 12 layers, e.g. bert.….query". */
    private static final Pattern MOVE = Pattern.compile(
            "move (\\d+): (\\w+) slices at position (\\d+) \\(rank (\\d+)\\) in (\\d+) layers, e\\.g\\. (\\S+)");
    private static final Pattern STEP = Pattern.compile("at step (\\d+)");

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
    public void onStep(StepMetrics m) {
        if (state.leaseLost) {
            return;
        }
        jdbc.sql("""
                INSERT INTO job_metrics (job_id, step, epoch, split, loss, learning_rate, tokens_per_second, attempt)
                VALUES (:job, :step, :epoch, 'train', :loss, :lr, :tps, :attempt)""")
                .param("job", job.id()).param("step", m.step()).param("epoch", (double) m.epoch())
                .param("loss", finiteOrNull(m.loss())).param("lr", m.lr()).param("tps", finiteOrNull(m.tokensPerSecond()))
                .param("attempt", job.attempt()).update();
    }

    @Override
    public void onEvaluation(int step, Map<String, Double> metrics) {
        if (state.leaseLost) {
            return;
        }
        Map<String, Double> finite = new LinkedHashMap<>();
        metrics.forEach((k, v) -> finite.put(k, finiteOrNull(v)));
        jdbc.sql("""
                INSERT INTO job_metrics (job_id, step, split, loss, eval_metrics, attempt)
                VALUES (:job, :step, 'eval', :loss, CAST(:metrics AS jsonb), :attempt)""")
                .param("job", job.id()).param("step", step).param("loss", finite.get("loss"))
                .param("metrics", JobQueueJson.write(finite)).param("attempt", job.attempt()).update();
    }

    @Override
    public void onEvent(String kind, String message) {
        if (state.leaseLost) {
            return;
        }
        switch (kind) {
            case "slice_move" -> queue.event(job.id(), "slice_move", null, null, null, message, moveData(message));
            case "checkpoint" -> checkpoints.checkpointWritten();
            case "early_stop" -> queue.event(job.id(), "early_stop", null, null, null, message, stepData(message));
            case "warning" -> queue.event(job.id(), "warning", null, null, null, message, null);
            default -> queue.event(job.id(), "log", null, null, kind, message, null);
        }
    }

    @Override
    public boolean stopRequested() {
        return state.cancelRequested || state.leaseLost || shuttingDown.getAsBoolean();
    }

    static Map<String, Object> moveData(String message) {
        Matcher m = MOVE.matcher(message);
        if (!m.find()) {
            return null;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("move", Integer.parseInt(m.group(1)));
        d.put("mode", m.group(2));
        d.put("position", Integer.parseInt(m.group(3)));
        d.put("rank", Integer.parseInt(m.group(4)));
        d.put("layers", Integer.parseInt(m.group(5)));
        d.put("layer_group", m.group(6));
        return d;
    }

    private static Map<String, Object> stepData(String message) {
        Matcher m = STEP.matcher(message);
        return m.find() ? Map.of("step", Integer.parseInt(m.group(1))) : null;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Double finiteOrNull(Double v) {
        return v != null && Double.isFinite(v) ? v : null;
    }
}
