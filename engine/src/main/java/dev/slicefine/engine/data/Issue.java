package dev.slicefine.engine.data;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One problem found in a dataset. line: 1-based line of a text file (the line a CSV record starts on), or 0 when the
 * problem is not tied to a line (empty file, unknown extension, an image: then field names the image's path).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Issue(int line, String field, IssueCode code, String message) {
    @Override
    public String toString() {
        String where = line > 0 ? "line " + line : "";
        if (field != null) {
            where = where.isEmpty() ? field : where + ", " + field;
        }
        return where.isEmpty() ? message : where + ": " + message;
    }
}
