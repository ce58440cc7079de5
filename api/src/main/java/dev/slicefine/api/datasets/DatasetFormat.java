package dev.slicefine.api.datasets;

import dev.slicefine.api.common.ApiException;
import java.util.Locale;

/** jsonl: one JSON object per line; csv: a header row then records; imagefolder: a zip of label/image files. */
public enum DatasetFormat {
    jsonl, csv, imagefolder;

    /** The file extension the engine's dataset reader reads this format by. */
    String extension() {
        return this == imagefolder ? ".zip" : "." + name();
    }

    static DatasetFormat of(String filename, String requested) {
        String lower = filename.toLowerCase(Locale.ROOT);
        DatasetFormat byName = lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? jsonl
                : lower.endsWith(".csv") ? csv
                : lower.endsWith(".zip") ? imagefolder
                : null;
        if (requested != null) {
            DatasetFormat asked;
            try {
                asked = valueOf(requested.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.unsupported("Unknown dataset format '" + requested + "'; use jsonl, csv or imagefolder");
            }
            if (byName != null && byName != asked) {
                throw ApiException.unsupported("'" + filename + "' does not look like " + asked);
            }
            return asked;
        }
        if (byName == null) {
            throw ApiException.unsupported("'" + filename + "' is not a supported dataset: send .jsonl (one JSON object "
                    + "per line), .csv (with a header row) or a .zip of image folders (label/image.png|jpg)");
        }
        return byName;
    }
}
