package dev.slicefine.api.datasets;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Documents the multipart body of POST /v1/datasets for OpenAPI; the body itself is read as a stream. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record DatasetUploadForm(
        @Schema(type = "string", format = "binary", description = ".jsonl, .csv, or .zip of label/image folders") String file,
        @Schema(description = "display name (default: the file name)") String name,
        @Schema(description = "jsonl, csv or imagefolder (default: from the file name)") String format,
        @Schema(description = "text-classification, causal-lm or image-classification (default: from the file: a label "
                + "field means text-classification, prompt/completion or text alone causal-lm, a zip image-classification)")
        String task,
        @Schema(description = "text field / column (default: text)") String textField,
        @Schema(description = "label field / column (default: label)") String labelField,
        @Schema(description = "second text of a pair (default: text_pair)") String textPairField,
        @Schema(description = "prompt field of a causal-LM dataset (default: prompt)") String promptField,
        @Schema(description = "completion field of a causal-LM dataset (default: completion)") String completionField) {}
