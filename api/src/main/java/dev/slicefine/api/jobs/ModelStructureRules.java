package dev.slicefine.api.jobs;

import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.peft.TargetPatterns;
import dev.slicefine.engine.models.ModelFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Checks that need the checkpoint's layers, read from the safetensors headers only (no weights are loaded): every
 * target pattern matches a Linear layer, and the slice rank / LoRA r fits every targeted layer.
 */
final class ModelStructureRules {
    private ModelStructureRules() {}

    static List<FieldError> check(JsonNode config, Path modelDir) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, long[]> linears = new LinkedHashMap<>();
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            for (String name : source.names()) {
                TensorInfo info = source.info(name);
                if (info.shape().length == 2 && name.endsWith(".weight") && !isHeadOrEmbedding(name)) {
                    linears.put(name.substring(0, name.length() - ".weight".length()), info.shape());
                }
            }
        } catch (RuntimeException e) {
            errors.add(new FieldError("model_id", "the checkpoint's tensors cannot be read: " + e.getMessage()));
            return errors;
        }
        if (linears.isEmpty()) {
            return errors;
        }
        String method = config.path("method").isString() ? config.get("method").asString() : "slicefine";
        String section = method.equals("lora") ? "lora" : "slicefine";
        if (!method.equals("lora") && !method.equals("slicefine")) {
            return errors;
        }
        JsonNode s = config.path(section);
        List<String> patterns = new ArrayList<>();
        s.path("targets").forEach(t -> patterns.add(t.asString()));
        if (patterns.isEmpty()) {
            patterns.addAll(defaults(config, linears));
        }
        Map<String, long[]> targeted = new LinkedHashMap<>();
        for (String p : patterns) {
            boolean any = false;
            for (var e : linears.entrySet()) {
                if (TargetPatterns.matches(p, e.getKey())) {
                    any = true;
                    targeted.put(e.getKey(), e.getValue());
                }
            }
            if (!any && !s.path("targets").isEmpty()) {
                errors.add(new FieldError(section + ".targets", "pattern '" + p + "' matches no Linear layer of this model (e.g. "
                        + linears.keySet().iterator().next() + ")"));
                return errors;
            }
        }
        String rankField = method.equals("lora") ? "r" : "rank";
        long rank = s.path(rankField).isIntegralNumber() ? s.get(rankField).asLong() : (method.equals("lora") ? 8 : 4);
        for (var e : targeted.entrySet()) {
            long[] shape = e.getValue();
            long limit = Math.min(shape[0], shape[1]);
            if (rank > limit) {
                errors.add(new FieldError(section + "." + rankField, rankField + " " + rank + " is larger than target layer "
                        + e.getKey() + " (" + shape[0] + "x" + shape[1] + ") allows (" + limit + ")"));
                break;
            }
        }
        return errors;
    }

    private static List<String> defaults(JsonNode config, Map<String, long[]> linears) {
        boolean llama = linears.keySet().stream().anyMatch(n -> n.endsWith("q_proj"));
        return TargetPatterns.defaults(llama ? ModelFamily.LLAMA : ModelFamily.BERT);
    }

    private static boolean isHeadOrEmbedding(String name) {
        return name.contains("embeddings") || name.contains("embed_tokens") || name.startsWith("classifier")
                || name.startsWith("lm_head") || name.startsWith("score") || name.startsWith("cls.") || name.contains("pooler");
    }
}
