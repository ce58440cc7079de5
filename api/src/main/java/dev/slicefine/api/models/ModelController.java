package dev.slicefine.api.models;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.common.ValidationStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/models")
@Tag(name = "Models")
class ModelController {
    private final ModelService service;

    ModelController(ModelService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Upload a Hugging Face checkpoint",
            description = "multipart/form-data: 'file' parts with config.json, *.safetensors, index and tokenizer files "
                    + "(or one .zip/.tar/.tar.gz of the folder), and an optional 'name' field. Streamed to disk; "
                    + "validated asynchronously (status 'validating' until 'ready' or 'invalid').",
            requestBody = @RequestBody(content = @Content(mediaType = "multipart/form-data",
                    schema = @Schema(implementation = ModelUploadForm.class))))
    ResponseEntity<ModelView> upload(Caller caller, HttpServletRequest request) throws IOException {
        ModelView model = service.upload(caller, request);
        return ResponseEntity.created(URI.create("/v1/models/" + model.id())).body(model);
    }

    @GetMapping
    @Operation(summary = "List models, newest first; pass nextCursor back as cursor")
    Page<ModelView> list(Caller caller, @RequestParam(required = false) ValidationStatus status,
                         @RequestParam(required = false) String name, @RequestParam(required = false) String cursor,
                         @RequestParam(required = false) Integer limit) {
        return service.list(caller, status, name, cursor, limit);
    }

    @GetMapping("/{id}")
    ModelView get(Caller caller, @PathVariable UUID id) {
        return service.get(caller, id);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a model (409 while a queued or running job uses it)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable UUID id) {
        service.delete(caller, id);
        return ResponseEntity.noContent().build();
    }
}
