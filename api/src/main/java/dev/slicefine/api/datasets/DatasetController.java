package dev.slicefine.api.datasets;

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
@RequestMapping("/v1/datasets")
@Tag(name = "Datasets")
class DatasetController {
    private final DatasetService service;

    DatasetController(DatasetService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Upload a dataset",
            description = "multipart/form-data with one 'file' part (.jsonl, .csv or a .zip of label/image folders) and "
                    + "optional fields name, format (jsonl|csv|imagefolder), task (else inferred from the file), and the "
                    + "field names text_field, label_field, text_pair_field, prompt_field, completion_field. Validated "
                    + "asynchronously by the engine's dataset reader, the one training uses; the report gives counts, "
                    + "label distribution, example previews and line-numbered issues with stable codes.",
            requestBody = @RequestBody(content = @Content(mediaType = "multipart/form-data", schema = @Schema(implementation = DatasetUploadForm.class))))
    ResponseEntity<DatasetView> upload(Caller caller, HttpServletRequest request) throws IOException {
        DatasetView dataset = service.upload(caller, request);
        return ResponseEntity.created(URI.create("/v1/datasets/" + dataset.id())).body(dataset);
    }

    @GetMapping
    @Operation(summary = "List datasets, newest first; pass nextCursor back as cursor")
    Page<DatasetView> list(Caller caller, @RequestParam(required = false) ValidationStatus status,
                           @RequestParam(required = false) DatasetFormat format,
                           @RequestParam(required = false) String name, @RequestParam(required = false) String cursor,
                           @RequestParam(required = false) Integer limit) {
        return service.list(caller, status, format, name, cursor, limit);
    }

    @GetMapping("/{id}")
    DatasetView get(Caller caller, @PathVariable UUID id) {
        return service.get(caller, id);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a dataset (409 while a queued or running job uses it)")
    ResponseEntity<Void> delete(Caller caller, @PathVariable UUID id) {
        service.delete(caller, id);
        return ResponseEntity.noContent().build();
    }
}
