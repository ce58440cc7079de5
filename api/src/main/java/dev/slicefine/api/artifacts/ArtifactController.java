package dev.slicefine.api.artifacts;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/jobs/{id}/artifacts")
@Tag(name = "Artifacts")
class ArtifactController {
    private final ArtifactService service;

    ArtifactController(ArtifactService service) {
        this.service = service;
    }

    @GetMapping
    List<ArtifactView> list(Caller caller, @PathVariable UUID id) {
        return service.list(caller, id);
    }

    @GetMapping("/diff")
    @Operation(summary = "The slice diff (diff.safetensors + manifest.json) as a zip, or a tar with ?format=tar")
    void diff(Caller caller, @PathVariable UUID id, @RequestParam(required = false) String format,
              HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (format != null && !format.equals("zip") && !format.equals("tar")) {
            throw ApiException.badRequest("invalid_parameter", "format must be zip or tar");
        }
        send(service.diff(caller, id, format), "tar".equals(format) ? "application/x-tar" : "application/zip", request, response);
    }

    @GetMapping("/merged")
    @Operation(summary = "The base checkpoint with the diff merged in, as a Hugging Face folder in a zip (made on first request)")
    void merged(Caller caller, @PathVariable UUID id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        send(service.derived(caller, id, "merged"), "application/zip", request, response);
    }

    @GetMapping("/peft")
    @Operation(summary = "The diff as an exact PEFT LoRA adapter in a zip (409 peft_not_exact when it cannot be encoded)")
    void peft(Caller caller, @PathVariable UUID id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        send(service.derived(caller, id, "peft"), "application/zip", request, response);
    }

    private static void send(ArtifactService.Download d, String contentType, HttpServletRequest request,
                             HttpServletResponse response) throws IOException {
        try {
            BlobDownload.serve(request, response, d.file(), d.sha256(), d.size(), d.filename(), contentType);
        } catch (BlobDownload.Unsatisfiable e) {
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, null);
            response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + d.size());
            throw new ApiException(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range_not_satisfiable",
                    "The requested range is outside the " + d.size() + "-byte file");
        }
    }
}
