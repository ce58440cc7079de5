package dev.slicefine.api.jobs;

import dev.slicefine.api.common.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;

/** 422 invalid_job with one entry per bad field. */
class InvalidJobException extends ApiException {
    private final List<FieldError> errors;

    InvalidJobException(List<FieldError> errors) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_job", errors.size() == 1
                ? "The job is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : "The job is invalid: " + errors.size() + " fields need fixing (see errors)");
        this.errors = errors;
    }

    List<FieldError> errors() {
        return errors;
    }
}
