package dev.slicefine.api.jobs;

import dev.slicefine.api.common.InvalidFieldsException;
import dev.slicefine.engine.config.ConfigError;
import java.util.List;

/** 422 invalid_job with one entry per bad field: its JSON path, a stable code and a message (the engine's words). */
class InvalidJobException extends InvalidFieldsException {
    InvalidJobException(List<ConfigError> errors) {
        super("job", errors);
    }
}
