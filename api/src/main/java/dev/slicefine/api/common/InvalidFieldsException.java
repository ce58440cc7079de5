package dev.slicefine.api.common;

import dev.slicefine.engine.config.ConfigError;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * 422 with one entry per bad field: its JSON path, a stable code and a message (the engine's {@link ConfigError}s).
 * The problem's {@code code} names what was invalid ({@code invalid_job}, {@code invalid_evaluation});
 * {@link ApiExceptionHandler} adds the {@code errors} list to the problem.
 */
public class InvalidFieldsException extends ApiException {
    private final List<ConfigError> errors;

    /** {@code what}: the word for the request in the message ("job", "evaluation"); the code is invalid_{what}. */
    protected InvalidFieldsException(String what, List<ConfigError> errors) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_" + what, errors.size() == 1
                ? "The " + what + " is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : "The " + what + " is invalid: " + errors.size() + " fields need fixing (see errors)");
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
