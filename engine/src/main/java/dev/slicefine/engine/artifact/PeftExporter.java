package dev.slicefine.engine.artifact;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A slice diff as a PEFT LoRA adapter that encodes it exactly: for changed columns {c_i}, A's row i is the one-hot
 * selector of c_i and B's column i the learned column; for changed rows {r_j}, B's column is the one-hot of r_j and A's
 * row the learned row. lora_alpha = r, so B A is added unscaled. Layers with fewer changes than r are zero-padded.
 * Files as HF PEFT 0.21 saves them (adapter_config.json, adapter_model.safetensors), so PEFT, vLLM and LoRAX load it.
 */
public final class PeftExporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftExporter() {}

    public static void export(Path modelDir, Path diffDir, Path outDir) {
        export(modelDir, diffDir, outDir, modelDir.toString());
    }

    /** {@code baseName} is what the adapter's {@code base_model_name_or_path} says (a service passes the model's name). */
    public static void export(Path modelDir, Path diffDir, Path outDir, String baseName) {
        SliceDiff diff = SliceDiff.read(diffDir);
        String base = CheckpointHash.of(modelDir);
        if (!base.equals(diff.baseSha256())) {
            throw new CheckpointException("the diff in " + diffDir + " was made for base checkpoint sha256 " + diff.baseSha256()
                    + ", but " + modelDir + " has sha256 " + base);
        }
        export(ModelConfigs.read(modelDir), diff, outDir, baseName);
    }

    /** One LoRA layer: A (r x in) and B (out x r), row-major. */
    public record AdapterLayer(String module, long out, long in, float[] a, float[] b) {}

    public static void export(ModelConfig config, SliceDiff diff, Path outDir, String baseName) {
        if (diff.tensors().isEmpty()) {
            throw new CheckpointException("the diff changes no weight: there is nothing for a LoRA adapter to encode");
        }
        for (String replaced : diff.replaced().keySet()) {
            if (!replaced.startsWith("classifier.")) {
                throw new CheckpointException("tensor " + replaced + " was trained whole (bias=true?); a LoRA adapter cannot encode it exactly");
            }
        }
        int r = diff.tensors().values().stream().mapToInt(d -> d.columnIndex().length + d.rowIndex().length).max().orElse(0);
        List<AdapterLayer> layers = new java.util.ArrayList<>();
        for (SliceDiff.TensorDiff d : diff.tensors().values()) {
            String module = d.tensor().substring(0, d.tensor().length() - ".weight".length());
            float[] a = new float[(int) (r * d.in())];
            float[] b = new float[(int) (d.out() * r)];
            int k = 0;
            for (int j = 0; j < d.columnIndex().length; j++, k++) {
                a[(int) (k * d.in() + d.columnIndex()[j])] = 1f;
                for (int i = 0; i < d.out(); i++) {
                    b[i * r + k] = d.columnDelta()[i * d.columnIndex().length + j];
                }
            }
            for (int j = 0; j < d.rowIndex().length; j++, k++) {
                System.arraycopy(d.rowDelta(), (int) (j * d.in()), a, (int) (k * d.in()), (int) d.in());
                b[d.rowIndex()[j] * r + k] = 1f;
            }
            layers.add(new AdapterLayer(module, d.out(), d.in(), a, b));
        }
        writeAdapter(config, layers, r, r, List.copyOf(diff.replaced().values()), outDir, baseName, diff.baseSha256());
    }

    /** Writes adapter_model.safetensors + adapter_config.json as HF PEFT 0.21 saves them. */
    public static void writeAdapter(ModelConfig config, List<AdapterLayer> layers, int r, double alpha,
                                    List<SliceDiff.Replacement> head, Path outDir, String baseName, String baseSha) {
        Set<String> headModules = new LinkedHashSet<>();
        for (SliceDiff.Replacement rep : head) {
            headModules.add("classifier");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Set<String> modules = new LinkedHashSet<>();
            for (AdapterLayer l : layers) {
                modules.add(l.module());
                tensors.put("base_model.model." + l.module() + ".lora_A.weight", m.create(l.a(), new Shape(r, l.in())));
                tensors.put("base_model.model." + l.module() + ".lora_B.weight", m.create(l.b(), new Shape(l.out(), r)));
            }
            for (SliceDiff.Replacement rep : head) {
                tensors.put("base_model.model." + rep.tensor(), m.create(rep.values(), new Shape(rep.shape())));
            }
            Files.createDirectories(outDir);
            SafetensorsWriter.write(outDir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
            writeConfig(config, baseSha, modules, headModules, r, alpha, outDir, baseName);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the adapter to " + outDir, e);
        }
    }

    private static void writeConfig(ModelConfig config, String baseSha, Set<String> modules, Set<String> headModules, int r,
                                    double alpha, Path outDir, String baseName) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.putNull("alora_invocation_tokens");
        c.putObject("alpha_pattern");
        c.putNull("arrow_config");
        ObjectNode auto = c.putObject("auto_mapping");
        auto.put("base_model_class", config.architecture());
        auto.put("parent_library", "transformers.models." + config.family().modelType() + ".modeling_" + config.family().modelType());
        c.put("base_model_name_or_path", baseName);
        c.put("bias", "none");
        c.putNull("corda_config");
        c.put("ensure_weight_tying", false);
        c.putNull("eva_config");
        c.putNull("exclude_modules");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", false);
        c.putNull("kasa_config");
        c.putNull("layer_replication");
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.putObject("loftq_config");
        if (alpha == Math.rint(alpha)) {
            c.put("lora_alpha", (long) alpha);
        } else {
            c.put("lora_alpha", alpha);
        }
        c.put("lora_bias", false);
        c.put("lora_dropout", 0.0);
        c.putNull("lora_ga_config");
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        if (headModules.isEmpty()) {
            c.putNull("modules_to_save");
        } else {
            ArrayNode mts = c.putArray("modules_to_save");
            headModules.forEach(mts::add);
        }
        c.putNull("monteclora_config");
        c.put("peft_type", "LORA");
        c.put("peft_version", "0.21.0");
        c.put("qalora_group_size", 16);
        c.put("r", r);
        c.putObject("rank_pattern");
        c.putNull("revision");
        ArrayNode targets = c.putArray("target_modules");
        targetModules(config, modules).forEach(targets::add);
        c.putNull("target_parameters");
        if (config.family() == ModelFamily.LLAMA) {
            c.put("task_type", "CAUSAL_LM");
        } else if (config.family() != ModelFamily.VIT && !headModules.isEmpty()) {
            c.put("task_type", "SEQ_CLS");
        } else {
            c.putNull("task_type");
        }
        c.putNull("trainable_token_indices");
        c.putNull("use_bdlora");
        c.put("use_dora", false);
        c.put("use_qalora", false);
        c.put("use_rslora", false);
        c.putNull("velora_config");
        c.putObject("slicefine").put("base_sha256", baseSha);
        JSON.writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("adapter_config.json").toFile(), c);
    }

    /**
     * Short names (q_proj) for a LLaMA diff that covers every layer of each such name; otherwise the full module names,
     * so PEFT never creates (randomly initialised) LoRA layers that the adapter file does not fill. BERT-style short
     * names ("dense") are ambiguous, so those families always get full names.
     */
    static List<String> targetModules(ModelConfig config, Set<String> modules) {
        if (config.family() == ModelFamily.LLAMA) {
            Map<String, Integer> perLeaf = new LinkedHashMap<>();
            for (String m : modules) {
                perLeaf.merge(m.substring(m.lastIndexOf('.') + 1), 1, Integer::sum);
            }
            if (perLeaf.values().stream().allMatch(v -> v == config.numLayers())) {
                return List.copyOf(perLeaf.keySet());
            }
        }
        return List.copyOf(modules);
    }
}
