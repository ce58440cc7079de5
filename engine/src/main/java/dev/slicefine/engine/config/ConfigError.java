package dev.slicefine.engine.config;

/**
 * One bad field of a fine-tuning config: {@code field} is its JSON path as the API names it ({@code slicefine.rank},
 * {@code train.learning_rate}), {@code code} a stable machine-readable reason, {@code message} the sentence for people.
 */
public record ConfigError(String field, String code, String message) {
    /** Codes: the value's JSON type is wrong, it is not one of the allowed values, a number is outside its bounds, ... */
    public static final String UNKNOWN_FIELD = "unknown_field";
    public static final String WRONG_TYPE = "wrong_type";
    public static final String UNKNOWN_VALUE = "unknown_value";
    public static final String OUT_OF_RANGE = "out_of_range";
    public static final String REQUIRED = "required";
    public static final String TASK_NOT_SUPPORTED = "task_not_supported";
    public static final String NO_MATCHING_LAYER = "no_matching_layer";
    public static final String RANK_TOO_LARGE = "rank_too_large";
    public static final String MODEL_UNREADABLE = "model_unreadable";

    @Override
    public String toString() {
        return field + ": " + message + " [" + code + "]";
    }
}
