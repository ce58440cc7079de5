package dev.slicefine.engine.train;

import java.util.Map;

/** What a run reports as it goes; the launcher prints JSON lines, the worker writes database rows. */
public interface TrainListener {
    record StepMetrics(int step, int totalSteps, int epoch, double loss, double lr, double gradNorm, double tokensPerSecond,
                       double elapsedSeconds) {}

    default void onStep(StepMetrics m) {}

    /** Slice moves, rank changes, early stopping, checkpoints: kind + one sentence. */
    default void onEvent(String kind, String message) {}

    default void onEvaluation(int step, Map<String, Double> metrics) {}

    /** Polled between steps: true stops the run after the current step (a checkpoint is written if configured). */
    default boolean stopRequested() {
        return false;
    }
}
