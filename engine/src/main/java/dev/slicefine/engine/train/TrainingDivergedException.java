package dev.slicefine.engine.train;

/**
 * The loss became NaN or infinite: the run cannot go on, and running it again with the same settings diverges again.
 * A type of its own so callers (the worker's failure codes) need not read the message.
 */
public class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
