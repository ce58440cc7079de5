package dev.slicefine.engine.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.models.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a checkpoint folder's config.json into the typed record of its family. */
public final class ModelConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelConfigs() {}

    public static ModelConfig read(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(modelDir + ": config.json is missing (a Hugging Face checkpoint folder needs config.json next to its safetensors)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": must be a JSON object");
        }
        return parse(new ConfigJson(root, file.toString()));
    }

    public static ModelConfig parse(ConfigJson c) {
        String modelType = c.optString("model_type", null);
        ModelFamily family = ModelFamily.detect(modelType, c.architectures());
        if (family == null) {
            String what = modelType != null ? "model_type '" + modelType + "'" : "architectures " + c.architectures();
            throw new ConfigException(c.file() + ": " + what + " is not supported; supported families: "
                    + String.join(", ", ModelFamily.supportedModelTypes()));
        }
        return switch (family) {
            case BERT, ROBERTA -> BertConfig.parse(c, family);
            case VIT -> VitConfig.parse(c);
            case LLAMA -> LlamaConfig.parse(c);
        };
    }
}
