package dev.slicefine.engine.artifact;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.HfJson;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.io.TensorSource;
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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A slice diff as a PEFT LoRA adapter that encodes it exactly: for changed columns {c_i}, A's row i is the one-hot
 * selector of c_i and B's column i the learned column; for changed rows {r_j}, B's column is the one-hot of r_j and A's
 * row the learned row. lora_alpha = r, so B A is added unscaled. Layers with fewer changes than r are zero-padded.
 * Files as HF PEFT 0.21's save_pretrained writes them for the model class of the task (SEQ_CLS with the head in
 * modules_to_save, CAUSAL_LM), tensor names as TaskCheckpoint names them, so PeftModel.from_pretrained finds every key.
 */
public final class PeftExporter {
    /** safetensors metadata key naming the base checkpoint's sha256 (PEFT's own config has no place for it). */
    public static final String BASE_SHA_KEY = "slicefine_base_sha256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "base_model.model.";

    private PeftExporter() {}

    public static void export(Path modelDir, Path diffDir, Path outDir) {
        export(modelDir, diffDir, outDir, null);
    }

    /**
     * {@code baseName} is what the adapter's {@code base_model_name_or_path} says (a service passes the model's name);
     * null: the name the run recorded for its base, never a machine's path.
     */
    public static void export(Path modelDir, Path diffDir, Path outDir, String baseName) {
        SliceDiff diff = SliceDiff.read(diffDir);
        Merger.checkBase(modelDir, diffDir, diff.baseSha256());
        ModelConfig config = ModelConfigs.read(modelDir);
        String prefix;
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            prefix = CheckpointLayout.of(config, source).prefix();
        }
        export(config, prefix, diff, outDir, baseName != null ? baseName : baseName(diff.manifest(), modelDir));
    }

    /** base_model_name_or_path: the base's folder name as the run recorded it, never a machine's path. */
    public static String baseName(JsonNode manifest, Path modelDir) {
        String recorded = manifest.path("base").path("name").asText("");
        if (!recorded.isEmpty()) {
            return recorded;
        }
        return modelDir.getFileName() == null ? modelDir.toString() : modelDir.getFileName().toString();
    }

    /** One LoRA layer: A (r x in) and B (out x r), row-major; module as the model names it. */
    public record AdapterLayer(String module, long out, long in, float[] a, float[] b) {}

    public static void export(ModelConfig config, String basePrefix, SliceDiff diff, Path outDir, String baseName) {
        if (diff.tensors().isEmpty()) {
            throw new CheckpointException("the diff changes no weight: there is nothing for a LoRA adapter to encode");
        }
        for (String replaced : diff.replaced().keySet()) {
            if (!isHead(replaced, basePrefix)) {
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
        writeAdapter(config, basePrefix, layers, r, r, List.copyOf(diff.replaced().values()), outDir, baseName, diff.baseSha256());
    }

    /** The trained head: the classifier, and the pooler a run added to a base without one. */
    private static boolean isHead(String tensor, String basePrefix) {
        return tensor.startsWith("classifier.") || tensor.startsWith(basePrefix + "pooler.dense.");
    }

    /** Writes adapter_model.safetensors + adapter_config.json as HF PEFT 0.21 saves them. */
    public static void writeAdapter(ModelConfig config, String basePrefix, List<AdapterLayer> layers, int r, double alpha,
                                    List<SliceDiff.Replacement> head, Path outDir, String baseName, String baseSha) {
        boolean classifier = head.stream().anyMatch(x -> x.tensor().startsWith("classifier."));
        TaskCheckpoint.Form form = TaskCheckpoint.form(config.family(), basePrefix, classifier);
        Set<String> modules = new TreeSet<>();
        Set<String> saved = new LinkedHashSet<>();
        for (SliceDiff.Replacement rep : head) {
            if (rep.tensor().startsWith(basePrefix + "pooler.")) {
                saved.add("pooler");
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new TreeMap<>(); // sorted, as safetensors' save_file orders them
            for (AdapterLayer l : layers) {
                String module = form.name(l.module());
                modules.add(module);
                tensors.put(PREFIX + module + ".lora_A.weight", m.create(l.a(), new Shape(r, l.in())));
                tensors.put(PREFIX + module + ".lora_B.weight", m.create(l.b(), new Shape(l.out(), r)));
            }
            for (SliceDiff.Replacement rep : head) {
                tensors.put(PREFIX + form.name(rep.tensor()), m.create(rep.values(), new Shape(rep.shape())));
            }
            Files.createDirectories(outDir);
            SafetensorsWriter.write(outDir.resolve(LoraAdapter.WEIGHTS), new LinkedHashMap<>(tensors),
                    baseSha == null || baseSha.isEmpty() ? Map.of("format", "pt") : Map.of("format", "pt", BASE_SHA_KEY, baseSha));
            HfJson.write(outDir.resolve(LoraAdapter.CONFIG), config(config, form, modules, saved, classifier, r, alpha, baseName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the adapter to " + outDir, e);
        }
    }

    /**
     * adapter_config.json as PEFT writes it: with a task_type, PeftModelFor&lt;Task&gt; appends its head modules to
     * modules_to_save (SEQ_CLS: "classifier", "score") and no auto_mapping is saved; without one (ViT: PEFT has no
     * image-classification task) the base class goes into auto_mapping and the head is a plain modules_to_save.
     */
    private static ObjectNode config(ModelConfig config, TaskCheckpoint.Form form, Set<String> modules, Set<String> saved,
                                     boolean classifier, int r, double alpha, String baseName) {
        String taskType = config.family() == ModelFamily.LLAMA ? "CAUSAL_LM"
                : classifier && config.family() != ModelFamily.VIT ? "SEQ_CLS" : null;
        List<String> modulesToSave = new java.util.ArrayList<>(saved);
        if ("SEQ_CLS".equals(taskType)) {
            modulesToSave.addAll(List.of("classifier", "score"));
        } else if (classifier) {
            modulesToSave.add("classifier");
        }
        ObjectNode c = JSON.createObjectNode();
        c.putNull("alora_invocation_tokens");
        c.putObject("alpha_pattern");
        c.putNull("arrow_config");
        if (taskType == null) {
            ObjectNode auto = c.putObject("auto_mapping");
            String arch = form.architecture() != null ? form.architecture() : config.architecture();
            auto.put("base_model_class", arch);
            auto.put("parent_library", "transformers.models." + config.family().modelType() + ".modeling_" + config.family().modelType());
        }
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
        if (modulesToSave.isEmpty()) {
            c.putNull("modules_to_save");
        } else {
            ArrayNode mts = c.putArray("modules_to_save");
            modulesToSave.forEach(mts::add);
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
        if (taskType == null) {
            c.putNull("task_type");
        } else {
            c.put("task_type", taskType);
        }
        c.putNull("trainable_token_indices");
        c.putNull("use_bdlora");
        c.put("use_dora", false);
        c.put("use_qalora", false);
        c.put("use_rslora", false);
        c.putNull("velora_config");
        return c;
    }

    /**
     * Short names (q_proj) for a LLaMA diff that covers every layer of each such name; otherwise the full module names,
     * so PEFT never creates (randomly initialised) LoRA layers that the adapter file does not fill. BERT-style short
     * names ("dense") are ambiguous, so those families always get full names. Sorted: PEFT saves a set, in no order.
     */
    static List<String> targetModules(ModelConfig config, Set<String> modules) {
        if (config.family() == ModelFamily.LLAMA) {
            Map<String, Integer> perLeaf = new TreeMap<>();
            for (String m : modules) {
                perLeaf.merge(m.substring(m.lastIndexOf('.') + 1), 1, Integer::sum);
            }
            if (perLeaf.values().stream().allMatch(v -> v == config.numLayers())) {
                return List.copyOf(perLeaf.keySet());
            }
        }
        return List.copyOf(new TreeSet<>(modules));
    }
}
