package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.models.HfModel;
import java.util.List;
import java.util.Map;

/**
 * A way of fine-tuning (SliceFine, LoRA, full, head only) as the trainer sees it: which tensors train, what happens
 * after each optimizer step, and the state a checkpoint must hold to resume exactly.
 */
public interface TrainingMethod extends AutoCloseable {
    String id();

    /** Wraps layers / marks tensors trainable. The model's head, if it is a classifier, trains in every method. */
    void prepare(HfModel model, NDManager manager);

    /** The tensors that train now (SliceFine's change at every move). */
    List<Param> params();

    /** Runs after optimizer step {@code step} (0-based), with gradient recording off. */
    StepOutcome afterStep(int step);

    /** Multiplier of the scheduled learning rate from the method itself (SliceFine's learning_rate_decay). */
    default double lrScale() {
        return 1.0;
    }

    /**
     * Told after every evaluation (after {@code step} steps) whether the tracked metric improved (SliceFine's
     * tolerance / rank_decay); returns what it changed.
     */
    default List<TrainEvent> onEvaluation(int step, boolean improved) {
        return List.of();
    }

    /** Ends training (SliceFine folds the last slices). */
    void finish();

    /** Trainable parameters over the whole run (a slice counts once: its size r x d, not times the moves). */
    long trainableParameterCount();

    /** Tensors a checkpoint needs (host copies are made by the trainer). */
    Map<String, NDArray> checkpointTensors();

    ObjectNode checkpointMeta();

    /** Restores from a checkpoint made by the same method on the same base model. */
    void restore(Map<String, float[]> tensors, ObjectNode meta);

    @Override
    void close();

    /** What a step did: the parameters whose optimizer state starts fresh, and events worth reporting. */
    record StepOutcome(List<String> resetParams, List<TrainEvent> events) {
        public static final StepOutcome NONE = new StepOutcome(List.of(), List.of());
    }
}
