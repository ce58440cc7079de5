package dev.slicefine.api.datasets;

import io.swagger.v3.oas.annotations.media.Schema;

/** Documents the multipart body of POST /v1/datasets for OpenAPI; the body itself is read as a stream. */
record DatasetUploadForm(
        @Schema(type = "string", format = "binary", description = ".jsonl, .csv, or .zip of label/image folders") String file,
        @Schema(description = "display name (default: the file name)") String name,
        @Schema(description = "jsonl, csv or imagefolder (default: from the file name)") String format,
        @Schema(description = "text column / field (default: text)") String textField,
        @Schema(description = "label column / field (default: label)") String labelField) {}
