package dev.slicefine.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

class JobFailureTest {
    @Test
    void classifiesByTypeNotByWording() {
        assertThat(JobFailure.of(new TrainingDivergedException("loss is NaN")).code).isEqualTo("training_diverged");
        // The old wording in a plain IllegalStateException is an internal error now: nothing reads messages.
        JobFailure plain = JobFailure.of(new IllegalStateException("the loss became NaN at step 3"));
        assertThat(plain.code).isEqualTo("internal");
        assertThat(plain.retryable).isFalse();
        assertThat(JobFailure.of(new CheckpointException("tensor x is missing")).code).isEqualTo("model_invalid");
        assertThat(JobFailure.of(new IllegalArgumentException("rank must be >= 1")).code).isEqualTo("config_invalid");
        assertThat(JobFailure.of(new JobFailure.LeaseLost()).code).isEqualTo("lease_lost");
    }

    @Test
    void infrastructureFailuresAreRetryableAndKeepTheirCode() {
        JobFailure io = JobFailure.of(new UncheckedIOException(new IOException("disk gone")));
        assertThat(io.code).isEqualTo("infrastructure_error");
        assertThat(io.retryable).isTrue();
        assertThat(JobFailure.of(new DataAccessResourceFailureException("no connection")).retryable).isTrue();
        JobFailure given = new JobFailure("input_missing", "the job's model was deleted", false);
        assertThat(JobFailure.of(given)).isSameAs(given);
    }
}
