package dev.slicefine.api.uploads;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Starts a resumable upload of one file of {@code size} bytes. For a model the file is an archive of the
 * checkpoint folder; for a dataset it is the dataset file. The other fields are those of the direct upload.
 */
public record CreateUploadRequest(
        @NotNull UploadPurpose purpose,
        @NotBlank @Size(max = 512) String filename,
        @NotNull @PositiveOrZero Long size,
        @Size(max = 200) String name,
        String format,
        String task,
        @Size(max = 200) String textField,
        @Size(max = 200) String labelField,
        @Size(max = 200) String textPairField,
        @Size(max = 200) String promptField,
        @Size(max = 200) String completionField) {}
