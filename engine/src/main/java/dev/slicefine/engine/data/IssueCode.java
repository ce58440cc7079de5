package dev.slicefine.engine.data;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What is wrong with a dataset, as a stable code (its lower-case name: {@code missing_field}) for clients to match. */
public enum IssueCode {
    /** The file does not exist, cannot be read, or is a folder where a file is expected. */
    UNREADABLE,
    /** An extension the reader has no format for (for the task). */
    UNKNOWN_FORMAT,
    /** No line, record or image with data. */
    EMPTY_FILE,
    LINE_TOO_LONG,
    /** Bytes that are not UTF-8 (a Latin-1 or UTF-16 file). */
    INVALID_UTF8,
    INVALID_JSON,
    /** A JSON object with the same key twice. */
    DUPLICATE_KEY,
    NOT_AN_OBJECT,
    MISSING_FIELD,
    /** A field of the wrong JSON type (a number where a string is expected). */
    WRONG_TYPE,
    /** A text, prompt, completion or text pair that is empty or blank. */
    EMPTY_TEXT,
    EMPTY_LABEL,
    /** A label of another type (string vs integer) than the labels before it. */
    INCONSISTENT_LABEL_TYPE,
    /** A label outside a fixed label list (a validation file's label the training file does not have). */
    UNKNOWN_LABEL,
    /** More distinct labels than a classifier takes ({@value ValidationReport#MAX_LABELS}). */
    TOO_MANY_LABELS,
    /** A CSV header without a needed column, or with one twice. */
    MISSING_COLUMN,
    DUPLICATE_COLUMN,
    /** A CSV record that cannot be parsed (unclosed quote, text after a closing quote). */
    MALFORMED_CSV,
    WRONG_COLUMN_COUNT,
    /** The tokenizer refused the text. */
    TOKENIZE_FAILED,
    /** An image archive entry with an absolute path or '..'. */
    UNSAFE_PATH,
    /** A file in an image dataset that is not a .png/.jpg/.jpeg, or not inside a label folder. */
    NOT_AN_IMAGE,
    /** An image that does not decode, is too large, or has a size the model cannot take. */
    BAD_IMAGE;

    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
