package dev.slicefine.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What a run reports as it goes, typed: the launcher prints each as a JSON line, the worker stores each in
 * job_events ({@link #type()} + {@link #data()}) or job_metrics. {@link #data()} is the record's components in
 * snake_case, the shape clients read (the event contract in docs).
 */
public sealed interface TrainEvent {
    ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** The job_events type (the CLI's "type" field). */
    String type();

    /** The event's fields as a JSON object (snake_case). */
    default ObjectNode data() {
        return JSON.valueToTree(this);
    }

    /**
     * Training begins. device: where the weights live ("cpu", "cuda:0"); startStep: 0, or the checkpoint's step a
     * resumed run continues from.
     */
    record Started(int totalSteps, String method, String task, long trainableParams, long totalParams, String device,
                   int startStep) implements TrainEvent {
        public String type() { return "started"; }
    }

    /**
     * One logged optimizer step. throughput: tokens/s for text, images/s for images ({@code throughputUnit}).
     * Stored as a job_metrics row, not an event.
     */
    record StepMetrics(int step, int totalSteps, int epoch, double loss, double lr, double gradNorm, double throughput,
                       String throughputUnit, double elapsedSeconds) implements TrainEvent {
        public static final String TOKENS = "tokens/s";
        public static final String IMAGES = "images/s";

        public String type() { return "step"; }

        /** Tokens per second for a text model, else null. */
        public Double tokensPerSecond() {
            return TOKENS.equals(throughputUnit) ? throughput : null;
        }
    }

    /** Held-out metrics (loss, accuracy, ...) after {@code step} steps. */
    record Evaluation(int step, Map<String, Double> metrics) implements TrainEvent {
        public String type() { return "evaluation"; }
    }

    /**
     * Every target layer folded its slice and moved on (one event per move). {@code rank}: the rank the next slices
     * open with; each layer's own {@code rank} is the folded slice's.
     */
    record SliceMoved(int move, int step, int rank, List<LayerMove> layers) implements TrainEvent {
        public String type() { return "slice_moved"; }
    }

    /**
     * One layer's move: the weight tensor, the mode of the folded slice, the position folded ({@code from}) and that
     * mode's next position ({@code to}), the slice's rank, the size of the swept dimension (in features for columns,
     * out features for rows) and the Frobenius norm of the delta folded into the weight.
     */
    record LayerMove(String layer, String mode, int from, int to, int rank, long dim, double deltaNorm) {}

    /** SliceFine lowered its rank (tolerance evaluations without improvement); applies from the next move. */
    record RankChanged(int step, int from, int to) implements TrainEvent {
        public String type() { return "rank_changed"; }
    }

    /** No improvement of {@code metric} for early_stopping evaluations: the run stops at {@code step}. */
    record EarlyStopped(int step, String metric, double best) implements TrainEvent {
        public String type() { return "early_stopped"; }
    }

    /** A checkpoint of the state after {@code step} steps was written (a resumed run starts there). */
    record Checkpoint(int step) implements TrainEvent {
        public String type() { return "checkpoint"; }
    }

    /** The loop ended after {@code steps} steps; reason: completed, early_stopped or stopped (cancel / shutdown). */
    record Finished(int steps, String reason) implements TrainEvent {
        public String type() { return "finished"; }
    }

    /** Something the user should know that does not stop the run; {@code code} is stable. */
    record Warning(String code, String message) implements TrainEvent {
        public String type() { return "warning"; }
    }
}
