package dev.slicefine.engine.data;

import java.util.Arrays;
import java.util.Locale;

/** The three fine-tuning tasks, with the ids the launcher and the API use. */
public enum Task {
    TEXT_CLASSIFICATION("text-classification"),
    CAUSAL_LM("causal-lm"),
    IMAGE_CLASSIFICATION("image-classification");

    private final String id;

    Task(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Task parse(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        for (Task task : values()) {
            if (task.id.equals(t)) {
                return task;
            }
        }
        throw new IllegalArgumentException("unknown task '" + s + "' ("
                + String.join(", ", Arrays.stream(values()).map(Task::id).toList()) + ")");
    }
}
