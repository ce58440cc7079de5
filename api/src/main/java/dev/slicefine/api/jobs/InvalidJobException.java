package dev.slicefine.api.jobs;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.api.common.Problems;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** 422 invalid_job with one entry per bad field: its JSON path, a stable code and a message (the engine's words). */
class InvalidJobException extends ApiException {
    private final List<ConfigError> errors;

    InvalidJobException(List<ConfigError> errors) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_job", errors.size() == 1
                ? "The job is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : "The job is invalid: " + errors.size() + " fields need fixing (see errors)");
        this.errors = errors;
    }

    List<ConfigError> errors() {
        return errors;
    }

    /** The 422 response: the problem with its {@code errors} list. */
    ResponseEntity<ProblemDetail> response() {
        ProblemDetail problem = Problems.of(status(), code(), getMessage());
        problem.setProperty("errors", errors);
        return ResponseEntity.status(status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
