package dev.slicefine.engine.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.cli.MainTest;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.lora.LoraLinear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported adapter is the diff, exactly, in the files PEFT 0.21's save_pretrained writes for the model class of
 * the task: the same adapter_config.json fields and values as the adapter HF PEFT saved for llama-tiny (with the
 * task_type PeftModelForCausalLM / ForSequenceClassification records, which drops auto_mapping), the same tensor names
 * (LoRA layers + modules_to_save heads under their plain names); applied to the base as LoRA (B A * alpha / r, head
 * replaced) it gives the merged model's logits.
 */
class PeftExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    /** The PEFT-saved fixture's config as PEFT saves it with this task_type, base name and these settings. */
    private static ObjectNode peftConfig(String taskType, String baseName, List<String> modulesToSave, List<String> targets,
                                         int r) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(Fixtures.dir("llama-tiny/peft-lora/adapter_config.json").toFile());
        c.remove("auto_mapping"); // save_pretrained writes auto_mapping only when task_type is None
        c.put("task_type", taskType);
        c.put("base_model_name_or_path", baseName);
        if (modulesToSave == null) {
            c.putNull("modules_to_save");
        } else {
            ArrayNode m = c.putArray("modules_to_save");
            modulesToSave.forEach(m::add);
        }
        ArrayNode t = c.putArray("target_modules");
        new TreeSet<>(targets).forEach(t::add);
        c.put("r", r);
        c.put("lora_alpha", r);
        return c;
    }

    @Test
    void llamaColumnRunExportsThePeftAdapterHfSaved() throws Exception {
        Path model = Fixtures.dir("llama-tiny");
        Path run = Fixtures.dir("llama-tiny/slicefine-column");
        Path diff = tmp.resolve("diff");
        MainTest.replay(model, run, diff);
        Path adapter = tmp.resolve("adapter");
        PeftExporter.export(model, diff, adapter);
        Path merged = tmp.resolve("merged");
        Merger.merge(model, diff, merged);

        Path reference = Fixtures.dir("llama-tiny/peft-lora");
        JsonNode want = JSON.readTree(reference.resolve("adapter_config.json").toFile());
        List<String> targets = new ArrayList<>();
        want.get("target_modules").forEach(t -> targets.add(t.asText()));
        JsonNode got = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertThat(got).isEqualTo(peftConfig("CAUSAL_LM", "llama-tiny", null, targets, want.get("r").asInt()));
        assertThat(JSON.readTree(merged.resolve("config.json").toFile()).get("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");

        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile w = SafetensorsFile.open(reference.resolve("adapter_model.safetensors"));
             SafetensorsFile g = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"))) {
            assertThat(g.names()).containsExactlyElementsOf(w.names());
            for (String name : w.names()) {
                assertThat(g.info(name).shape()).as(name).containsExactly(w.info(name).shape());
                assertThat(Fixtures.maxAbsDiff(g.load(name, m), w.load(name, m))).as(name).isLessThanOrEqualTo(1e-5f);
            }
        }
        try (NDManager root = NDManager.newBaseManager();
             SafetensorsFile peftLogits = SafetensorsFile.open(reference.resolve("expected_adapted.safetensors"));
             NDScope scope = new NDScope()) {
            Path inputs = model.resolve("inputs.safetensors");
            NDArray adapted = adaptedLogits(model, adapter, "", inputs, root);
            assertThat(Fixtures.maxAbsDiff(adapted, mergedLogits(merged, inputs, root))).as("adapter vs merged").isLessThanOrEqualTo(1e-5f);
            assertThat(Fixtures.maxAbsDiff(adapted, peftLogits.load("logits", root))).as("adapter vs PEFT's logits").isLessThanOrEqualTo(1e-4f);
        }
        // merging the adapter itself gives the same checkpoint as merging the diff
        Path viaAdapter = tmp.resolve("merged-from-adapter");
        Merger.merge(model, adapter, viaAdapter);
        assertSameTensors(merged, viaAdapter, 1e-5f);
    }

    @Test
    void bertClassifierExportsSeqClsAdapterWithTheHeadInModulesToSave() throws Exception {
        Path model = Fixtures.dir("bert-tiny");
        Path diff = tmp.resolve("diff");
        MainTest.replay(model, Fixtures.dir("bert-tiny/slicefine-row-column"), diff);
        Path adapter = tmp.resolve("adapter");
        PeftExporter.export(model, diff, adapter);
        Path merged = tmp.resolve("merged");
        Merger.merge(model, diff, merged);

        SliceDiff d = SliceDiff.read(diff);
        List<String> modules = d.tensors().keySet().stream().map(t -> t.substring(0, t.length() - ".weight".length())).toList();
        int r = d.tensors().values().stream().mapToInt(x -> x.columnIndex().length + x.rowIndex().length).max().orElseThrow();
        JsonNode got = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertThat(got).isEqualTo(peftConfig("SEQ_CLS", "bert-tiny", List.of("classifier", "score"), modules, r));
        TreeSet<String> keys = new TreeSet<>();
        for (String module : modules) {
            keys.add("base_model.model." + module + ".lora_A.weight");
            keys.add("base_model.model." + module + ".lora_B.weight");
        }
        keys.add("base_model.model.classifier.weight");
        keys.add("base_model.model.classifier.bias");
        try (SafetensorsFile g = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"))) {
            assertThat(g.names()).containsExactlyElementsOf(keys);
        }
        JsonNode config = JSON.readTree(merged.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("BertForSequenceClassification");
        assertThat(config.get("id2label").size()).isEqualTo(3);

        try (NDManager root = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Path inputs = model.resolve("inputs.safetensors");
            assertThat(Fixtures.maxAbsDiff(adaptedLogits(model, adapter, "bert.", inputs, root), mergedLogits(merged, inputs, root)))
                    .as("base + adapter vs merged").isLessThanOrEqualTo(1e-5f);
        }
        Path viaAdapter = tmp.resolve("merged-from-adapter");
        Merger.merge(model, adapter, viaAdapter);
        assertSameTensors(merged, viaAdapter, 1e-5f);
    }

    /**
     * The base's logits with the adapter applied as PEFT applies it: LoRA on the target Linears, the modules_to_save
     * tensors in place of the base's (adapter names are the task model's: taskPrefix is what they add to the base's).
     */
    static NDArray adaptedLogits(Path model, Path adapter, String taskPrefix, Path inputs, NDManager root) throws Exception {
        JsonNode config = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        double scale = config.get("lora_alpha").asDouble() / config.get("r").asDouble();
        HfModel base = HfModels.load(model, root);
        String bare = base.prefix().isEmpty() ? taskPrefix : "";
        try (SafetensorsFile a = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"))) {
            boolean head = false;
            for (String key : a.names()) {
                if (!key.contains(".lora_")) {
                    String name = key.substring("base_model.model.".length());
                    name = name.startsWith("classifier.") ? name : name.substring(bare.length());
                    base.weights().put(name, a.load(key, base.weights().manager()));
                    head = true;
                }
            }
            if (head && base.head() != HeadKind.CLASSIFICATION) {
                long n = base.weights().get("classifier.weight").getShape().get(0);
                List<String> labels = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    labels.add("LABEL_" + i);
                }
                base = HfModels.build(((BertConfig) base.config()).withClassifier(labels, false), base.weights(), base.prefix());
            } else if (head) {
                base = HfModels.build(base.config(), base.weights(), base.prefix()); // slots over the replaced tensors
            }
            for (LinearSlot s : base.linears()) {
                String prefix = "base_model.model." + bare + s.name();
                if (a.contains(prefix + ".lora_A.weight")) {
                    s.set(new LoraLinear(s.get(), a.load(prefix + ".lora_A.weight", root), a.load(prefix + ".lora_B.weight", root), scale));
                }
            }
        }
        return logits(base, inputs, root);
    }

    static NDArray mergedLogits(Path merged, Path inputs, NDManager root) {
        return logits(HfModels.load(merged, root), inputs, root);
    }

    private static NDArray logits(HfModel m, Path inputsFile, NDManager root) {
        try (SafetensorsFile inputs = SafetensorsFile.open(inputsFile)) {
            return m.forward(ModelInputs.text(inputs.load("input_ids", root), inputs.load("attention_mask", root)), false).logits();
        }
    }

    static void assertSameTensors(Path a, Path b, float tolerance) {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile x = SafetensorsFile.open(a.resolve("model.safetensors"));
             SafetensorsFile y = SafetensorsFile.open(b.resolve("model.safetensors"))) {
            assertThat(y.names()).containsExactlyInAnyOrderElementsOf(x.names());
            for (String name : x.names()) {
                assertThat(Fixtures.maxAbsDiff(y.load(name, m), x.load(name, m))).as(name).isLessThanOrEqualTo(tolerance);
            }
        }
    }
}
