package dev.slicefine.engine.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.cli.MainTest;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.lora.LoraLinear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported adapter is the diff, exactly: same files, tensor names and config fields as the adapter HF PEFT saved
 * for the llama-tiny column run; applied as LoRA (B A * alpha / r) it gives the merged model's logits.
 */
class PeftExportTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
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
        ObjectMapper json = new ObjectMapper();
        JsonNode want = json.readTree(reference.resolve("adapter_config.json").toFile());
        JsonNode got = json.readTree(adapter.resolve("adapter_config.json").toFile());
        for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            assertThat(got.has(field)).as("adapter_config field %s", field).isTrue();
        }
        assertThat(got.get("r").asInt()).isEqualTo(want.get("r").asInt());
        assertThat(got.get("lora_alpha").asInt()).isEqualTo(want.get("lora_alpha").asInt());
        assertThat(got.get("peft_type").asText()).isEqualTo("LORA");
        List<String> wantTargets = new ArrayList<>();
        want.get("target_modules").forEach(t -> wantTargets.add(t.asText()));
        List<String> gotTargets = new ArrayList<>();
        got.get("target_modules").forEach(t -> gotTargets.add(t.asText()));
        assertThat(gotTargets).containsExactlyInAnyOrderElementsOf(wantTargets);

        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile w = SafetensorsFile.open(reference.resolve("adapter_model.safetensors"));
             SafetensorsFile g = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"))) {
            assertThat(g.names()).containsExactlyElementsOf(w.names());
            for (String name : w.names()) {
                assertThat(g.info(name).shape()).as(name).containsExactly(w.info(name).shape());
                assertThat(Fixtures.maxAbsDiff(g.load(name, m), w.load(name, m))).as(name).isLessThanOrEqualTo(1e-5f);
            }
        }

        // Apply the adapter as LoRA to the base, and compare with the merged model and with PEFT's own logits.
        try (NDManager root = NDManager.newBaseManager();
             HfModel base = HfModels.load(model, root);
             HfModel mergedModel = HfModels.load(merged, root);
             SafetensorsFile a = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"));
             SafetensorsFile inputs = SafetensorsFile.open(model.resolve("inputs.safetensors"));
             SafetensorsFile peftLogits = SafetensorsFile.open(reference.resolve("expected_adapted.safetensors"));
             NDScope scope = new NDScope()) {
            double scale = got.get("lora_alpha").asDouble() / got.get("r").asDouble();
            for (LinearSlot s : base.linears()) {
                String prefix = "base_model.model." + s.name();
                if (a.contains(prefix + ".lora_A.weight")) {
                    s.set(new LoraLinear(s.get(), a.load(prefix + ".lora_A.weight", root), a.load(prefix + ".lora_B.weight", root), scale));
                }
            }
            ModelInputs in = ModelInputs.text(inputs.load("input_ids", root), inputs.load("attention_mask", root));
            NDArray adapted = base.forward(in, false).logits();
            NDArray viaMerge = mergedModel.forward(in, false).logits();
            assertThat(Fixtures.maxAbsDiff(adapted, viaMerge)).as("adapter vs merged").isLessThanOrEqualTo(1e-5f);
            assertThat(Fixtures.maxAbsDiff(adapted, peftLogits.load("logits", root))).as("adapter vs PEFT's logits").isLessThanOrEqualTo(1e-4f);
        }
    }
}
