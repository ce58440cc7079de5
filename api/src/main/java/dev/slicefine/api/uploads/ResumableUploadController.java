package dev.slicefine.api.uploads;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Problems;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.io.IOException;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/** Resumable uploads, tus-style: POST to start, PATCH chunks at Upload-Offset, HEAD to resume, POST .../complete. */
@RestController
@RequestMapping("/v1/uploads")
@Tag(name = "Resumable uploads")
class ResumableUploadController {
    static final String OFFSET = "Upload-Offset";
    static final String LENGTH = "Upload-Length";

    private final ResumableUploadService service;

    ResumableUploadController(ResumableUploadService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Start a resumable upload of one file")
    ResponseEntity<UploadView> create(Caller caller, @Valid @RequestBody CreateUploadRequest request) throws IOException {
        UploadView upload = service.create(caller, request);
        return ResponseEntity.created(URI.create("/v1/uploads/" + upload.id()))
                .header(OFFSET, "0").header(LENGTH, Long.toString(upload.size())).body(upload);
    }

    @RequestMapping(path = "/{id}", method = RequestMethod.HEAD)
    @Operation(summary = "How many bytes the server has (Upload-Offset header)")
    ResponseEntity<Void> head(Caller caller, @PathVariable UUID id) throws IOException {
        UploadView upload = service.get(caller, id);
        return ResponseEntity.ok().header(OFFSET, Long.toString(upload.offset()))
                .header(LENGTH, Long.toString(upload.size())).header("Cache-Control", "no-store").build();
    }

    @GetMapping("/{id}")
    UploadView get(Caller caller, @PathVariable UUID id) throws IOException {
        return service.get(caller, id);
    }

    @PatchMapping(path = "/{id}")
    @Operation(summary = "Append bytes at Upload-Offset",
            description = "Content-Type: application/offset+octet-stream; the body is appended if Upload-Offset equals "
                    + "the bytes already received (else 409 offset_mismatch with the server's Upload-Offset).")
    ResponseEntity<Void> patch(Caller caller, @PathVariable UUID id,
                               @RequestHeader(name = OFFSET, required = false) Long offset,
                               HttpServletRequest request) throws IOException {
        String type = request.getContentType();
        if (type == null || !(type.startsWith("application/offset+octet-stream") || type.startsWith("application/octet-stream"))) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "PATCH bodies are application/offset+octet-stream");
        }
        if (offset == null) {
            throw ApiException.badRequest("missing_offset", "The Upload-Offset header is required");
        }
        if (offset < 0) {
            throw ApiException.badRequest("invalid_offset", "Upload-Offset must be a byte count (0 or more), got " + offset);
        }
        long now = service.append(caller, id, offset, request.getInputStream());
        return ResponseEntity.noContent().header(OFFSET, Long.toString(now)).build();
    }

    @ExceptionHandler(ResumableUploadService.OffsetMismatch.class)
    ResponseEntity<ProblemDetail> offsetMismatch(ResumableUploadService.OffsetMismatch e) {
        return ResponseEntity.status(e.status()).header(OFFSET, Long.toString(e.current))
                .body(Problems.of(e.status(), e.code(), e.getMessage()));
    }

    @PostMapping("/{id}/complete")
    @Operation(summary = "Finish: the file becomes a model or dataset (resultUrl); idempotent")
    UploadView complete(Caller caller, @PathVariable UUID id) throws IOException {
        return service.complete(caller, id);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Abort and delete a resumable upload")
    ResponseEntity<Void> abort(Caller caller, @PathVariable UUID id) throws IOException {
        service.abort(caller, id);
        return ResponseEntity.noContent().build();
    }
}
