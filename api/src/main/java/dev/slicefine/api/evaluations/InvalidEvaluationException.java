package dev.slicefine.api.evaluations;

import dev.slicefine.api.common.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;

/** 422 invalid_evaluation with one entry per bad field. */
class InvalidEvaluationException extends ApiException {
    private final List<EvaluationRequest.Invalid> errors;

    InvalidEvaluationException(List<EvaluationRequest.Invalid> errors) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_evaluation", errors.size() == 1
                ? "The evaluation is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : "The evaluation is invalid: " + errors.size() + " fields need fixing (see errors)");
        this.errors = errors;
    }

    List<EvaluationRequest.Invalid> errors() {
        return errors;
    }
}
