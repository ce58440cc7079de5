package dev.slicefine.api.common;

import dev.slicefine.storage.StorageException;
import org.apache.commons.fileupload2.core.FileUploadByteCountLimitException;
import org.apache.commons.fileupload2.core.FileUploadContentTypeException;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Turns every exception into a problem detail with a {@code code}; stack traces stay in the log. */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private final java.nio.file.Path dataDir;

    ApiExceptionHandler(SliceFineProperties properties) {
        this.dataDir = properties.dataDir();
    }

    /** No server path reaches a client, whatever message a lower layer wrote. */
    private String clean(String detail) {
        return ServerPaths.redact(detail, dataDir);
    }

    /** 422 with the {@code errors} list (field, code, message per bad field) beside the problem's detail. */
    @ExceptionHandler(InvalidFieldsException.class)
    ResponseEntity<ProblemDetail> invalidFields(InvalidFieldsException e) {
        ProblemDetail problem = Problems.of(e.status(), e.code(), e.getMessage());
        problem.setProperty("errors", e.errors());
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        return ResponseEntity.status(e.status()).body(Problems.of(e.status(), e.code(), clean(e.getMessage())));
    }

    /** Storage lives in the worker module (shared with workers); its errors become the same problems as before. */
    @ExceptionHandler(StorageException.class)
    ResponseEntity<ProblemDetail> storage(StorageException e) {
        HttpStatus status = switch (e.kind()) {
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case INSUFFICIENT_STORAGE -> HttpStatus.INSUFFICIENT_STORAGE;
        };
        return ResponseEntity.status(status).body(Problems.of(status, e.code(), clean(e.getMessage())));
    }

    @ExceptionHandler({FileUploadSizeException.class, FileUploadByteCountLimitException.class})
    ResponseEntity<ProblemDetail> uploadTooLarge(Exception e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                .body(Problems.of(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large", e.getMessage()));
    }

    @ExceptionHandler(FileUploadContentTypeException.class)
    ResponseEntity<ProblemDetail> notMultipart(FileUploadContentTypeException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(Problems.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type", "Expected a multipart/form-data body"));
    }

    @ExceptionHandler(FileUploadException.class)
    ResponseEntity<ProblemDetail> badMultipart(FileUploadException e) {
        return ResponseEntity.badRequest()
                .body(Problems.of(HttpStatus.BAD_REQUEST, "malformed_multipart", "Malformed multipart body: " + e.getMessage()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        // A malformed id is an id that does not exist.
        if (e.getName().equals("id")) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(Problems.of(HttpStatus.NOT_FOUND, "not_found", "Resource not found"));
        }
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "invalid_parameter",
                "Parameter '" + e.getName() + "' has an invalid value"));
    }

    /** A row this request refers to changed under it (a deleted parent: foreign key), caught where no service did. */
    @ExceptionHandler(org.springframework.dao.DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(Exception e) {
        log.info("Integrity violation answered as 409: {}", e.toString());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Problems.of(HttpStatus.CONFLICT, "conflict",
                "The request conflicts with a concurrent change; retry it"));
    }

    /** The client went away mid-request: nobody to answer. */
    @ExceptionHandler(org.apache.catalina.connector.ClientAbortException.class)
    void clientAbort(Exception e) {
        log.debug("Client aborted the request: {}", e.toString());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unhandled error", e);
        return ResponseEntity.internalServerError().body(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR,
                "internal_error", "An internal error occurred; it has been logged."));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable c = ex; c != null; c = c.getCause()) {
            if (c instanceof tools.jackson.databind.exc.UnrecognizedPropertyException u) {
                return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "unknown_field",
                        "Unknown field '" + u.getPropertyName() + "'"));
            }
        }
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "malformed_request",
                "The request body could not be read as the expected JSON"));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> f.getField() + ": " + f.getDefaultMessage())
                .reduce((a, b) -> a + "; " + b).orElse("Invalid request");
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "invalid_request", detail));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
            problem.setProperty("code", Problems.defaultCode(statusCode));
        }
        return response;
    }
}
