package dev.slicefine.api.evaluations;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.engine.config.ConfigError;
import java.util.List;
import org.springframework.http.HttpStatus;

/** 422 invalid_evaluation with one entry per bad field (the engine's {@link ConfigError}, as jobs report them). */
class InvalidEvaluationException extends ApiException {
    private final List<ConfigError> errors;

    InvalidEvaluationException(List<ConfigError> errors) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_evaluation", errors.size() == 1
                ? "The evaluation is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : "The evaluation is invalid: " + errors.size() + " fields need fixing (see errors)");
        this.errors = errors;
    }

    List<ConfigError> errors() {
        return errors;
    }
}
