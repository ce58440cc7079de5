package dev.slicefine.engine.models;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The model families the engine runs, chosen from a checkpoint's {@code model_type} (or its architectures). */
public enum ModelFamily {
    BERT("bert", Modality.TEXT),
    ROBERTA("roberta", Modality.TEXT),
    VIT("vit", Modality.IMAGE),
    LLAMA("llama", Modality.TEXT);

    public enum Modality { TEXT, IMAGE }

    private final String modelType;
    private final Modality modality;

    ModelFamily(String modelType, Modality modality) {
        this.modelType = modelType;
        this.modality = modality;
    }

    public String modelType() {
        return modelType;
    }

    public Modality modality() {
        return modality;
    }

    public static List<String> supportedModelTypes() {
        return Arrays.stream(values()).map(ModelFamily::modelType).toList();
    }

    /** Picks the family from model_type, falling back to the architecture names; null when unsupported. */
    public static ModelFamily detect(String modelType, List<String> architectures) {
        if (modelType != null) {
            String t = modelType.toLowerCase(Locale.ROOT).replace('_', '-');
            for (ModelFamily f : values()) {
                if (f.modelType.equals(t)) {
                    return f;
                }
            }
            return null;
        }
        for (String arch : architectures) {
            String a = arch.toLowerCase(Locale.ROOT);
            if (a.startsWith("bert")) return BERT;
            if (a.startsWith("roberta")) return ROBERTA;
            if (a.startsWith("vit")) return VIT;
            if (a.startsWith("llama")) return LLAMA;
        }
        return null;
    }
}
