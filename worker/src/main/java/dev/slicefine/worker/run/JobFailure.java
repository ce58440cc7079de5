package dev.slicefine.worker.run;

import dev.slicefine.engine.data.DatasetException;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import org.springframework.dao.DataAccessException;

/**
 * A job's failure with a machine-readable code (stored as {@code jobs.error_code}); {@code retryable}: another attempt
 * may succeed. {@link #of} classifies any throwable by its type, never by its message.
 */
final class JobFailure extends RuntimeException {
    final String code;
    final boolean retryable;

    JobFailure(String code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    /** The lease went to someone else while finishing: nothing of this attempt is written. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("the lease was lost", null, false, false);
        }
    }

    static JobFailure of(Throwable e) {
        if (e instanceof JobFailure f) {
            return f;
        }
        if (e instanceof LeaseLost) {
            return new JobFailure("lease_lost", e.getMessage(), false);
        }
        if (e instanceof DatasetException d) {
            return new JobFailure("dataset_invalid", d.getMessage(), false);
        }
        if (e instanceof ConfigException || e instanceof CheckpointException) {
            return new JobFailure("model_invalid", e.getMessage(), false);
        }
        String msg = String.valueOf(e.getMessage());
        if (e instanceof TrainingDivergedException) {
            return new JobFailure("training_diverged", msg, false);
        }
        if (e instanceof IllegalArgumentException) {
            return new JobFailure("config_invalid", msg, false);
        }
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof DataAccessException
                || e instanceof SQLException) {
            return new JobFailure("infrastructure_error", e.getClass().getSimpleName() + ": " + msg, true);
        }
        if (e instanceof OutOfMemoryError) {
            return new JobFailure("out_of_memory", "the worker ran out of memory: " + msg, true);
        }
        return new JobFailure("internal", "internal error (" + e.getClass().getSimpleName() + "): " + msg, false);
    }
}
