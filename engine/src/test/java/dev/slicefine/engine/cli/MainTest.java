package dev.slicefine.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.io.SafetensorsFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The launcher's engine commands: exit codes, what they print, and the files they write. */
public class MainTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inspectPrintsFamilyParametersDtypesTensorsAndVerdict() {
        Result r = run("inspect", "--model", Fixtures.dir("llama-tiny").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("family:       llama (LlamaForCausalLM)").contains("parameters:   138,048")
                .contains("dtypes:       F32").contains("model.layers.1.self_attn.k_proj.weight").contains("[32, 64]")
                .contains("verdict:      valid");
    }

    @Test
    void inspectOfBrokenCheckpointExitsNonZeroWithOneSentence() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(Fixtures.dir("bert-tiny/config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        Result r = run("inspect", "--model", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("slicefine inspect: invalid checkpoint: ").contains("model.safetensors");
    }

    @Test
    void inspectRefusesPickleCheckpoints() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pickle"));
        Files.copy(Fixtures.dir("bert-tiny/config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Result r = run("inspect", "--model", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("pytorch_model.bin").contains("arbitrary code").contains("safe_serialization");
    }

    @Test
    void logitsWritesTheForwardPassOfEveryFamily() {
        for (String model : new String[] {"bert-tiny", "roberta-tiny", "vit-tiny", "llama-tiny"}) {
            Path out = tmp.resolve(model + "-logits.safetensors");
            Result r = run("logits", "--model", Fixtures.dir(model).toString(),
                    "--inputs", Fixtures.dir(model + "/inputs.safetensors").toString(), "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            try (NDManager m = NDManager.newBaseManager();
                 SafetensorsFile got = SafetensorsFile.open(out);
                 SafetensorsFile want = SafetensorsFile.open(Fixtures.dir(model + "/expected.safetensors"))) {
                assertThat(got.info("logits").dtype().headerName()).isEqualTo("F32");
                assertThat(Fixtures.maxAbsDiff(got.load("logits", m), want.load("logits", m))).as(model).isLessThanOrEqualTo(1e-4f);
            }
        }
    }

    @Test
    void logitsWithInputsOfTheWrongKindSaysWhichTensorIsMissing() {
        Result r = run("logits", "--model", Fixtures.dir("vit-tiny").toString(),
                "--inputs", Fixtures.dir("bert-tiny/inputs.safetensors").toString(), "--out", tmp.resolve("x.safetensors").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no 'pixel_values' tensor");
        assertThat(tmp.resolve("x.safetensors")).doesNotExist();
    }

    /**
     * Replays a fixture run through the launcher's train command exactly as the reference made it (SGD, lr 0.5,
     * constant schedule, no clipping) and returns what it printed.
     */
    public static String replay(Path modelDir, Path runDir, Path out) throws IOException {
        com.fasterxml.jackson.databind.JsonNode ref = new com.fasterxml.jackson.databind.ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        List<String> modes = new ArrayList<>();
        ref.get("modes").forEach(m -> modes.add(m.asText()));
        List<String> targets = new ArrayList<>();
        ref.get("targets").forEach(t -> targets.add(t.asText()));
        String task = modelDir.getFileName().toString().startsWith("llama") ? "causal-lm" : "text-classification";
        Result r = run("train", "--model", modelDir.toString(), "--task", task, "--batches", runDir.resolve("batches.safetensors").toString(),
                "--out", out.toString(), "--method", "slicefine", "--optimizer", "sgd", "--lr", ref.get("lr").asText(),
                "--lr-schedule", "constant", "--grad-clip", "0", "--rank", ref.get("rank").asText(), "--modes", String.join(",", modes),
                "--move-steps", ref.get("move_steps").asText(), "--position", ref.get("position").asText(),
                "--max-steps", ref.get("steps").asText(), "--targets", String.join(",", targets), "--log-every", "1",
                "--device", "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        return r.out();
    }

    /** All 8 reference runs replay from the launcher: losses within 1e-4 relative, merged tensors within 1e-5. */
    @ParameterizedTest
    @ValueSource(strings = {"bert-tiny/slicefine-column", "bert-tiny/slicefine-row", "bert-tiny/slicefine-row-column",
            "roberta-tiny/slicefine-column", "roberta-tiny/slicefine-row",
            "llama-tiny/slicefine-column", "llama-tiny/slicefine-row", "llama-tiny/slicefine-row-column"})
    void trainReplaysAReferenceRunAndMergeRebuildsItsTensors(String runName) throws IOException {
        Path run = Fixtures.dir(runName);
        Path model = run.getParent();
        Path diff = tmp.resolve("diff");
        String printed = replay(model, run, diff);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode ref = json.readTree(run.resolve("run.json").toFile());
        List<Double> losses = new ArrayList<>();
        for (String line : printed.split("\n")) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            if (n.path("type").asText().equals("step")) {
                losses.add(n.get("loss").asDouble());
            }
        }
        assertThat(losses).hasSize(ref.get("losses").size());
        for (int i = 0; i < losses.size(); i++) {
            double want = ref.get("losses").get(i).asDouble();
            assertThat(Math.abs(losses.get(i) - want) / want).as("%s loss %d", runName, i).isLessThanOrEqualTo(1e-4);
        }
        assertThat(printed).contains("\"type\":\"started\"", "\"type\":\"slice_moved\"", "\"delta_norm\"", "\"type\":\"finished\"",
                "\"done\":true");
        assertThat(diff.resolve("manifest.json")).exists();
        assertThat(diff.resolve("diff.safetensors")).exists();

        Path merged = tmp.resolve("merged");
        Result m = run("merge", "--model", model.toString(), "--diff", diff.toString(), "--out", merged.toString());
        assertThat(m.code()).as(m.err()).isZero();
        try (NDManager nd = NDManager.newBaseManager();
             SafetensorsFile want = SafetensorsFile.open(run.resolve("merged.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(merged.resolve("model.safetensors"))) {
            for (String name : want.names()) {
                assertThat(Fixtures.maxAbsDiff(got.load(name, nd), want.load(name, nd))).as("%s merged %s", runName, name).isLessThanOrEqualTo(1e-5f);
            }
        }
        // the merged folder is a checkpoint the engine loads, and its logits are the reference model's after training
        Path out = tmp.resolve("after.safetensors");
        Result l = run("logits", "--model", merged.toString(), "--inputs", model.resolve("inputs.safetensors").toString(),
                "--out", out.toString());
        assertThat(l.code()).as(l.err()).isZero();
        try (NDManager nd = NDManager.newBaseManager();
             SafetensorsFile got = SafetensorsFile.open(out);
             SafetensorsFile want = SafetensorsFile.open(run.resolve("expected_after.safetensors"))) {
            assertThat(Fixtures.maxAbsDiff(got.load("logits", nd), want.load("logits", nd))).isLessThanOrEqualTo(1e-4f);
        }
    }

    @Test
    void mergeRefusesADiffMadeForAnotherBase() throws IOException {
        Path diff = tmp.resolve("diff");
        replay(Fixtures.dir("llama-tiny"), Fixtures.dir("llama-tiny/slicefine-column"), diff);
        Result r = run("merge", "--model", Fixtures.dir("bert-tiny").toString(), "--diff", diff.toString(), "--out", tmp.resolve("m").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("was made for base checkpoint sha256");
        assertThat(tmp.resolve("m")).doesNotExist();
    }

    @Test
    void trainRefusesATaskThatDoesNotFitTheModel() {
        Result r = run("train", "--model", Fixtures.dir("vit-tiny").toString(), "--task", "causal-lm", "--dataset", "x.jsonl",
                "--out", tmp.resolve("o").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("task: task causal-lm does not fit a vit model (it trains image-classification) [task_not_supported]");
    }

    @Test
    void trainReadsADatasetByTheFieldNamesItIsGiven() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("llama"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Fixtures.dir("llama-tiny").resolve(f), model.resolve(f));
        }
        Files.copy(Fixtures.dir("tokenizers/bpe.json"), model.resolve("tokenizer.json"));
        Path data = Files.writeString(tmp.resolve("qa.jsonl"),
                "{\"question\": \"two plus two is\", \"answer\": \" four\"}\n{\"question\": \"the sky is\", \"answer\": \" blue\"}\n");
        String[] train = {"train", "--model", model.toString(), "--task", "causal-lm", "--dataset", data.toString(),
                "--max-steps", "1", "--batch-size", "2", "--log-every", "1", "--out", tmp.resolve("out").toString()};

        Result plain = run(train);
        assertThat(plain.code()).isEqualTo(1);
        assertThat(plain.err()).contains("line 1, text: missing field 'text'");

        List<String> named = new ArrayList<>(List.of(train));
        named.addAll(List.of("--prompt-field", "question", "--completion-field", "answer"));
        Result r = run(named.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"step\":1");
        assertThat(tmp.resolve("out/manifest.json")).exists();

        Result same = run("train", "--model", model.toString(), "--task", "causal-lm", "--dataset", data.toString(),
                "--prompt-field", "x", "--completion-field", "x", "--out", tmp.resolve("o2").toString());
        assertThat(same.code()).isEqualTo(2);
        assertThat(same.err()).contains("prompt-field and completion-field must differ");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("frobnicate").err()).contains("unknown command 'frobnicate'");
        Result missing = run("logits", "--model", "x");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--inputs is required");
        assertThat(run("inspect", "--modle", "x").err()).contains("unknown option --modle");
    }
}
