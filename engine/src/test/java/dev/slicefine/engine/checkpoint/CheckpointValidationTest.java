package dev.slicefine.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.HfModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints that disagree with their config are refused with a sentence naming the tensor or field. */
class CheckpointValidationTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    @Test
    void validFixturesPassInspection() {
        for (String m : new String[] {"bert-tiny", "roberta-tiny", "vit-tiny", "llama-tiny"}) {
            ModelReport r = ModelInspector.inspect(Fixtures.dir(m));
            assertThat(r.problems()).as(m).isEmpty();
            assertThat(r.valid()).isTrue();
            assertThat(r.dtypes()).containsExactly("F32");
        }
        ModelReport bert = ModelInspector.inspect(Fixtures.dir("bert-tiny"));
        assertThat(bert.family()).isEqualTo("bert");
        assertThat(bert.head()).isEqualTo("classification");
        assertThat(bert.parameterCount()).isEqualTo(29251);
        assertThat(ModelInspector.inspect(Fixtures.dir("llama-tiny")).parameterCount()).isEqualTo(138048);
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = copyWith("bert-tiny", t -> t.remove("bert.encoder.layer.1.attention.self.key.weight"));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anySatisfy(p -> assertThat(p)
                .contains("bert.encoder.layer.1.attention.self.key.weight").contains("missing"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> HfModels.load(dir, m)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("bert.encoder.layer.1.attention.self.key.weight is missing");
        }
    }

    @Test
    void unexpectedTensorIsNamed() throws IOException {
        Path dir = copyWith("llama-tiny", t -> t.put("model.layers.0.mystery.weight", t.get("model.norm.weight").duplicate()));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.problems()).singleElement().asString()
                .contains("model.layers.0.mystery.weight").contains("unexpected");
    }

    @Test
    void shapeThatDisagreesWithConfigIsNamed() throws IOException {
        Path dir = copyWith("vit-tiny", t -> t.put("vit.encoder.layer.0.intermediate.dense.weight", t.get("vit.encoder.layer.0.intermediate.dense.weight").get("0:10, :")));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.problems()).singleElement().asString()
                .contains("vit.encoder.layer.0.intermediate.dense.weight").contains("[10, 32]").contains("[64, 32]");
    }

    @Test
    void classifierWithWrongLabelCountIsRefused() throws IOException {
        Path dir = copyWith("bert-tiny", t -> {
            t.put("classifier.weight", t.get("classifier.weight").get("0:2, :"));
            t.put("classifier.bias", t.get("classifier.bias").get("0:2"));
        });
        assertThat(ModelInspector.inspect(dir).problems()).anySatisfy(p -> assertThat(p).contains("classifier.weight").contains("[2, 32]"));
    }

    @Test
    void pretrainingBuffersAreIgnoredWithAWarning() throws IOException {
        Path dir = copyWith("bert-tiny", t -> t.put("bert.embeddings.position_ids",
                t.get("bert.embeddings.LayerNorm.bias").getManager().arange(0, 64, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, 64)));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.valid()).isTrue();
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("bert.embeddings.position_ids"));
    }

    @Test
    void unsupportedFamilyIsRefusedNamingTheSupportedOnes() throws IOException {
        Path dir = copyWith("bert-tiny", t -> {});
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\""));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.problems()).singleElement().asString().contains("model_type 'gpt2' is not supported")
                .contains("bert, roberta, vit, llama");
    }

    @Test
    void configWithoutRequiredFieldNamesIt() throws IOException {
        Path dir = copyWith("llama-tiny", t -> {});
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"num_hidden_layers\": 2,", ""));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> HfModels.load(dir, m)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("'num_hidden_layers' is missing");
        }
    }

    @Test
    void missingConfigIsExplained() {
        assertThat(ModelInspector.inspect(tmp).problems()).singleElement().asString().contains("config.json is missing");
    }

    @Test
    void tiedLlamaLoadsWithoutLmHead() throws IOException {
        Path dir = copyWith("llama-tiny", t -> t.remove("lm_head.weight"));
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
        ModelReport r = ModelInspector.inspect(dir);
        assertThat(r.problems()).isEmpty();
        try (NDManager m = NDManager.newBaseManager(); var model = HfModels.load(dir, m)) {
            assertThat(model.linears()).anySatisfy(s -> assertThat(s.name()).isEqualTo("lm_head"));
        }
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"));
        assertThat(ModelInspector.inspect(dir).problems()).singleElement().asString().contains("lm_head.weight is missing");
    }

    /** Copies a fixture model to a temp folder, rewriting its safetensors through {@code edit}. */
    private Path copyWith(String model, Consumer<Map<String, NDArray>> edit) throws IOException {
        Path src = Fixtures.dir(model);
        Path dir = Files.createDirectories(tmp.resolve(model + "-" + System.nanoTime()));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager(); SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String n : f.names()) {
                tensors.put(n, f.load(n, m));
            }
            edit.accept(tensors);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        }
        return dir;
    }
}
