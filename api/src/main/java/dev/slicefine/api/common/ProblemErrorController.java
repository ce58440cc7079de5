package dev.slicefine.api.common;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Errors that happen outside Spring MVC (container, filters) also answer as problem details. */
@RestController
@Hidden
public class ProblemErrorController implements ErrorController {

    @RequestMapping(value = "${server.error.path:/error}", produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE, MediaType.ALL_VALUE})
    public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // Asked for directly (GET /error), there is no error: nothing is here.
        HttpStatusCode status = code instanceof Integer i ? HttpStatusCode.valueOf(i) : HttpStatus.NOT_FOUND;
        String detail = status.is5xxServerError() ? "An internal error occurred; it has been logged."
                : (HttpStatus.resolve(status.value()) != null ? HttpStatus.resolve(status.value()).getReasonPhrase() : "Error");
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(status, Problems.defaultCode(status), detail));
    }
}
