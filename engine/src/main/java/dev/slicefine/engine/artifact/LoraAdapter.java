package dev.slicefine.engine.artifact;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PEFT LoRA adapter folder read back for merging (a LoRA run's result, an exported slice diff, or one PEFT saved):
 * per target module W += scale * B A with scale = lora_alpha / r (lora_alpha / sqrt(r) with use_rslora), and the
 * modules_to_save tensors (the trained head) replacing the base's. Variants this merge does not reproduce (DoRA,
 * fan_in_fan_out, per-module rank or alpha patterns, LoRA biases) are refused rather than merged wrongly.
 */
final class LoraAdapter {
    static final String CONFIG = "adapter_config.json";
    static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One module's low-rank update: A (r x in), B (out x r), row-major. */
    record LoraDelta(long out, long in, int r, float[] a, float[] b, float scale) implements Merger.Delta {
        @Override
        public void applyTo(float[] w) {
            float[] row = new float[(int) in];
            for (int i = 0; i < out; i++) {
                java.util.Arrays.fill(row, 0f);
                for (int k = 0; k < r; k++) {
                    float bik = b[i * r + k];
                    if (bik == 0f) {
                        continue;
                    }
                    int aRow = (int) (k * in);
                    for (int j = 0; j < in; j++) {
                        row[j] += bik * a[aRow + j];
                    }
                }
                int wRow = (int) (i * in);
                for (int j = 0; j < in; j++) {
                    w[wRow + j] += row[j] * scale;
                }
            }
        }
    }

    private final Path dir;
    private final float scale;
    private final String baseSha256;
    private final List<String> labels;

    private LoraAdapter(Path dir, float scale, String baseSha256, List<String> labels) {
        this.dir = dir;
        this.scale = scale;
        this.baseSha256 = baseSha256;
        this.labels = labels;
    }

    static boolean isAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(WEIGHTS));
    }

    static LoraAdapter read(Path dir) {
        JsonNode c;
        try {
            c = JSON.readTree(dir.resolve(CONFIG).toFile());
        } catch (IOException e) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": not JSON (" + e.getMessage() + ")");
        }
        if (!"LORA".equals(c.path("peft_type").asText())) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": peft_type is '" + c.path("peft_type").asText() + "', only LORA merges");
        }
        for (String flag : List.of("use_dora", "fan_in_fan_out", "lora_bias")) {
            if (c.path(flag).asBoolean(false)) {
                throw new CheckpointException(dir.resolve(CONFIG) + ": " + flag + " adapters are not supported by this merge");
            }
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            if (c.path(pattern).size() > 0) {
                throw new CheckpointException(dir.resolve(CONFIG) + ": " + pattern + " adapters are not supported by this merge");
            }
        }
        int r = c.path("r").asInt(0);
        double alpha = c.path("lora_alpha").asDouble(Double.NaN);
        if (r <= 0 || !(alpha > 0)) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": needs a positive r and lora_alpha");
        }
        float scale = (float) (c.path("use_rslora").asBoolean(false) ? alpha / Math.sqrt(r) : alpha / r);
        String sha = null;
        List<String> labels = new ArrayList<>();
        Path manifest = dir.resolve("manifest.json");
        if (Files.isRegularFile(manifest)) { // a LoRA run's result carries the run's manifest
            try {
                JsonNode m = JSON.readTree(manifest.toFile());
                sha = m.path("base").path("sha256").asText(null);
                m.path("labels").forEach(l -> labels.add(l.asText()));
            } catch (IOException e) {
                throw new CheckpointException(manifest + ": not JSON (" + e.getMessage() + ")");
            }
        }
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
            if (sha == null) {
                sha = f.metadata().get(PeftExporter.BASE_SHA_KEY);
            }
        }
        return new LoraAdapter(dir, scale, sha, labels);
    }

    String baseSha256() {
        return baseSha256;
    }

    /** The adapter as merge edits on the base in modelDir (adapter names are the task model's, see TaskCheckpoint). */
    Merger.Edits edits(Path modelDir) {
        ModelConfig config = ModelConfigs.read(modelDir);
        Map<String, LoraDelta> deltas = new LinkedHashMap<>();
        Map<String, SliceDiff.Replacement> replaced = new LinkedHashMap<>();
        try (TensorSource base = Checkpoints.openTensors(modelDir);
             SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS));
             NDManager m = NDManager.newBaseManager()) {
            boolean classifier = f.names().stream().anyMatch(n -> n.startsWith(PREFIX + "classifier."));
            TaskCheckpoint.Form form = TaskCheckpoint.form(config.family(), CheckpointLayout.of(config, base).prefix(), classifier);
            for (String key : f.names()) {
                if (!key.startsWith(PREFIX)) {
                    throw new CheckpointException(dir.resolve(WEIGHTS) + ": tensor " + key + " does not start with " + PREFIX);
                }
                String name = key.substring(PREFIX.length());
                if (name.endsWith(".lora_B.weight")) {
                    continue;
                }
                if (name.endsWith(".lora_A.weight")) {
                    String module = name.substring(0, name.length() - ".lora_A.weight".length());
                    String bKey = PREFIX + module + ".lora_B.weight";
                    if (!f.contains(bKey)) {
                        throw new CheckpointException(dir.resolve(WEIGHTS) + ": " + key + " has no " + bKey);
                    }
                    long[] as = f.info(key).shape();
                    long[] bs = f.info(bKey).shape();
                    if (as.length != 2 || bs.length != 2 || as[0] != bs[1]) {
                        throw new CheckpointException(dir.resolve(WEIGHTS) + ": " + module + " lora_A / lora_B shapes do not chain");
                    }
                    String weight = form.baseName(module) + ".weight";
                    deltas.put(weight, new LoraDelta(bs[0], as[1], (int) as[0], f.load(key, m).toFloatArray(),
                            f.load(bKey, m).toFloatArray(), scale));
                } else {
                    String tensor = form.baseName(name);
                    replaced.put(tensor, new SliceDiff.Replacement(tensor, f.info(key).shape(), f.load(key, m).toFloatArray()));
                }
            }
            List<String> l = labels;
            if (classifier && l.isEmpty()) { // an adapter PEFT saved names no labels: transformers' generic ones
                long n = replaced.values().stream().filter(x -> x.tensor().equals("classifier.weight") || x.tensor().equals("classifier.out_proj.weight"))
                        .mapToLong(x -> x.shape()[0]).findFirst().orElse(0);
                l = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    l.add("LABEL_" + i);
                }
            }
            return new Merger.Edits(deltas, replaced, l, baseSha256 == null ? "" : baseSha256);
        }
    }
}
