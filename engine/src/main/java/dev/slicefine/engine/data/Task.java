package dev.slicefine.engine.data;

import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.models.ModelFamily;
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

    /**
     * Whether a model family trains this task: BERT and RoBERTa classify text, LLaMA is a causal LM, ViT classifies
     * images. (Here rather than on ModelFamily: data already depends on models, so models must not depend on data.)
     */
    public boolean fits(ModelFamily family) {
        return defaultFor(family) == this;
    }

    /** The task a family trains (the API's default when a job names none). */
    public static Task defaultFor(ModelFamily family) {
        return switch (family) {
            case BERT, ROBERTA -> TEXT_CLASSIFICATION;
            case LLAMA -> CAUSAL_LM;
            case VIT -> IMAGE_CLASSIFICATION;
        };
    }

    /** The error for a task the family does not train, or null when it fits. */
    public ConfigError fitError(ModelFamily family) {
        return fits(family) ? null : new ConfigError("task", ConfigError.TASK_NOT_SUPPORTED, "task " + id + " does not fit a "
                + family.modelType() + " model (it trains " + defaultFor(family).id() + ")");
    }
}
