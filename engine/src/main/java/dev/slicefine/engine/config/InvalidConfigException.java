package dev.slicefine.engine.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config with at least one bad field; carries every one of them. */
public class InvalidConfigException extends IllegalArgumentException {
    private final List<ConfigError> errors;

    public InvalidConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
