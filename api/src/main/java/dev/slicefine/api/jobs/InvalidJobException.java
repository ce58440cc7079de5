package dev.slicefine.api.jobs;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.engine.config.ConfigError;
import java.util.List;
import org.springframework.http.HttpStatus;

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
}
