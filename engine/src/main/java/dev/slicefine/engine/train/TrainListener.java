package dev.slicefine.engine.train;

/** What a run reports as it goes (typed events); the launcher prints JSON lines, the worker writes database rows. */
public interface TrainListener {
    default void onEvent(TrainEvent event) {}

    /** Polled between steps: true stops the run after the current step (a checkpoint is written if configured). */
    default boolean stopRequested() {
        return false;
    }
}
