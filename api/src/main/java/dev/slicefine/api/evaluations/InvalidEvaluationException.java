package dev.slicefine.api.evaluations;

import dev.slicefine.api.common.InvalidFieldsException;
import dev.slicefine.engine.config.ConfigError;
import java.util.List;

/** 422 invalid_evaluation with one entry per bad field (the engine's {@link ConfigError}, as jobs report them). */
class InvalidEvaluationException extends InvalidFieldsException {
    InvalidEvaluationException(List<ConfigError> errors) {
        super("evaluation", errors);
    }
}
