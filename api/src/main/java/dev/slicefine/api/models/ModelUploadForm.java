package dev.slicefine.api.models;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** Documents the multipart body of POST /v1/models for OpenAPI; the body itself is read as a stream. */
record ModelUploadForm(
        @ArraySchema(schema = @Schema(type = "string", format = "binary"),
                arraySchema = @Schema(description = "checkpoint files, or one .zip/.tar/.tar.gz of the folder"))
        List<String> file,
        @Schema(description = "display name") String name) {}
