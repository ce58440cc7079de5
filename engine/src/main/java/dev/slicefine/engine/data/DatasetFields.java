package dev.slicefine.engine.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The field (JSONL key or CSV column) names a text dataset uses; a null name takes the default ({@code text},
 * {@code label}, {@code text_pair}, {@code prompt}, {@code completion}).
 */
public record DatasetFields(
        @JsonProperty("text_field") String text,
        @JsonProperty("label_field") String label,
        @JsonProperty("text_pair_field") String textPair,
        @JsonProperty("prompt_field") String prompt,
        @JsonProperty("completion_field") String completion) {

    public static final DatasetFields DEFAULTS = new DatasetFields(null, null, null, null, null);
    static final int MAX_LENGTH = 200;

    public DatasetFields {
        text = orDefault("text_field", text, "text");
        label = orDefault("label_field", label, "label");
        textPair = orDefault("text_pair_field", textPair, "text_pair");
        prompt = orDefault("prompt_field", prompt, "prompt");
        completion = orDefault("completion_field", completion, "completion");
        if (text.equals(label) || text.equals(textPair) || label.equals(textPair)) {
            throw new IllegalArgumentException("text_field, label_field and text_pair_field must differ, got '" + text
                    + "', '" + label + "' and '" + textPair + "'");
        }
        if (prompt.equals(completion)) {
            throw new IllegalArgumentException("prompt_field and completion_field must differ, both are '" + prompt + "'");
        }
    }

    private static String orDefault(String option, String name, String fallback) {
        if (name == null) {
            return fallback;
        }
        if (name.isBlank() || name.length() > MAX_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(option + " must be 1 to " + MAX_LENGTH
                    + " characters without control characters, got '" + name + "'");
        }
        return name;
    }
}
