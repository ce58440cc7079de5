package dev.slicefine.engine.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.cli.Main;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier on a sentence encoder saved as a bare BertModel without a pooler (all-MiniLM-L6-v2's layout) comes out
 * as a plain BertForSequenceClassification: a pooler initialised as transformers initialises it and trained with the
 * head, backbone tensors under "bert.", no private config key; the full fine-tune writes the same config; the PEFT
 * adapter saves the pooler as PEFT saves a modules_to_save module.
 */
class HeadlessEncoderCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    /** bert-tiny as a sentence-transformers export: BertModel, tensors without "bert.", no pooler, no classifier. */
    private Path bareEncoder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bare-encoder"));
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.dir("bert-tiny/config.json").toFile());
        config.putArray("architectures").add("BertModel");
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile f = SafetensorsFile.open(Fixtures.dir("bert-tiny/model.safetensors"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith("bert.") && !name.startsWith("bert.pooler.")) {
                    tensors.put(name.substring("bert.".length()), f.load(name, m));
                }
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        return dir;
    }

    private static void cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }

    private static void train(Path model, String method, Path out) {
        cli("train", "--model", model.toString(), "--task", "text-classification", "--method", method,
                "--batches", Fixtures.dir("bert-tiny/slicefine-row-column/batches.safetensors").toString(),
                "--optimizer", "sgd", "--lr", "0.1", "--lr-schedule", "constant", "--grad-clip", "0", "--rank", "2",
                "--modes", "row,column", "--move-steps", "2", "--max-steps", "4", "--log-every", "1", "--out", out.toString());
    }

    @Test
    void classifierOnABareEncoderIsAStandardBertForSequenceClassification() throws Exception {
        Path base = bareEncoder();
        Path diff = tmp.resolve("diff");
        train(base, "slicefine", diff);
        SliceDiff d = SliceDiff.read(diff);
        assertThat(d.replaced().keySet()).containsExactly("pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias");

        Path merged = tmp.resolve("merged");
        cli("merge", "--model", base.toString(), "--diff", diff.toString(), "--out", merged.toString());
        JsonNode config = JSON.readTree(merged.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("BertForSequenceClassification");
        assertThat(config.has("classifier_pooling")).isFalse();
        assertThat(config.get("id2label").size()).isEqualTo(3);
        List<String> names;
        try (SafetensorsFile f = SafetensorsFile.open(merged.resolve("model.safetensors"))) {
            names = f.names();
        }
        assertThat(names).allMatch(n -> n.startsWith("bert.") || n.startsWith("classifier."))
                .contains("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "bert.embeddings.word_embeddings.weight");
        try (NDManager root = NDManager.newBaseManager()) {
            HfModel m = HfModels.load(merged, root);
            assertThat(m.head()).isEqualTo(HeadKind.CLASSIFICATION);
            assertThat(m.prefix()).isEqualTo("bert.");
        }

        // PEFT: the pooler is a modules_to_save module like the classifier; base + adapter = merged
        Path adapter = tmp.resolve("adapter");
        cli("export-peft", "--model", base.toString(), "--diff", diff.toString(), "--out", adapter.toString());
        JsonNode ac = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertThat(ac.get("task_type").asText()).isEqualTo("SEQ_CLS");
        assertThat(JSON.convertValue(ac.get("modules_to_save"), List.class)).containsExactly("pooler", "classifier", "score");
        assertThat(ac.get("target_modules")).allMatch(t -> t.asText().startsWith("bert.encoder.layer."));
        try (SafetensorsFile f = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"))) {
            assertThat(f.names()).contains("base_model.model.bert.pooler.dense.weight", "base_model.model.bert.pooler.dense.bias",
                    "base_model.model.classifier.weight", "base_model.model.classifier.bias",
                    "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight");
        }
        try (NDManager root = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Path inputs = Fixtures.dir("bert-tiny/inputs.safetensors");
            assertThat(Fixtures.maxAbsDiff(PeftExportTest.adaptedLogits(base, adapter, "bert.", inputs, root),
                    PeftExportTest.mergedLogits(merged, inputs, root))).isLessThanOrEqualTo(1e-5f);
        }

        // a full fine-tune of the same base writes the same config and the same tensor names
        Path full = tmp.resolve("full");
        train(base, "full", full);
        assertThat(Files.readString(full.resolve("config.json"))).isEqualTo(Files.readString(merged.resolve("config.json")));
        try (SafetensorsFile f = SafetensorsFile.open(full.resolve("model.safetensors"))) {
            assertThat(f.names()).containsExactlyInAnyOrderElementsOf(names);
        }
        try (Stream<Path> s = Files.list(full)) {
            assertThat(s.map(p -> p.getFileName().toString())).contains("config.json", "model.safetensors", "manifest.json");
        }
    }
}
