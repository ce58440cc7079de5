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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's engine commands: exit codes, what they print, and the files they write. */
class MainTest {
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
