package dev.slicefine.engine.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same inputs give the same bytes whichever process writes them: two JVMs each replay a reference run
 * (train --batches), merge it, export it as PEFT, train a LoRA run and merge that adapter, into different folders;
 * every file they write is byte-identical (a HashMap/Map.of order, a time stamp or a path would show here).
 */
class ReproducibleArtifactsTest {
    @TempDir
    Path tmp;

    /** What one JVM makes: the launcher's commands, one after another, as `./slicefine` runs them. */
    public static final class MakeArtifacts {
        public static void main(String[] args) {
            Path out = Path.of(args[0]);
            String model = Fixtures.dir("bert-tiny").toString();
            String batches = Fixtures.dir("bert-tiny/slicefine-row-column/batches.safetensors").toString();
            List<String> common = List.of("--model", model, "--task", "text-classification", "--batches", batches,
                    "--optimizer", "sgd", "--lr", "0.5", "--lr-schedule", "constant", "--grad-clip", "0", "--log-every", "1");
            run(concat(List.of("train"), common, List.of("--method", "slicefine", "--rank", "2", "--modes", "row,column",
                    "--move-steps", "2", "--max-steps", "4", "--out", out.resolve("diff").toString())));
            run(List.of("merge", "--model", model, "--diff", out.resolve("diff").toString(), "--out", out.resolve("merged").toString()));
            run(List.of("export-peft", "--model", model, "--diff", out.resolve("diff").toString(), "--out", out.resolve("peft").toString()));
            run(concat(List.of("train"), common, List.of("--method", "lora", "--lora-r", "2", "--lora-alpha", "4", "--max-steps", "2",
                    "--out", out.resolve("lora").toString())));
            run(List.of("merge", "--model", model, "--diff", out.resolve("lora").toString(), "--out", out.resolve("lora-merged").toString()));
            System.exit(0);
        }

        private static void run(List<String> args) {
            int code = Main.run(args.toArray(String[]::new), System.out, System.err);
            if (code != 0) {
                System.exit(code);
            }
        }

        @SafeVarargs
        private static List<String> concat(List<String>... parts) {
            return Stream.of(parts).flatMap(List::stream).toList();
        }
    }

    @Test
    void twoProcessesWriteByteIdenticalDiffMergedAndPeftArtifacts() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second run elsewhere");
        makeInChildJvm(first);
        makeInChildJvm(second);

        List<Path> files = files(first);
        assertThat(files).contains(Path.of("diff/diff.safetensors"), Path.of("diff/manifest.json"),
                Path.of("merged/model.safetensors"), Path.of("merged/config.json"),
                Path.of("peft/adapter_model.safetensors"), Path.of("peft/adapter_config.json"),
                Path.of("lora/adapter_model.safetensors"), Path.of("lora/adapter_config.json"), Path.of("lora/manifest.json"),
                Path.of("lora-merged/model.safetensors"), Path.of("lora-merged/config.json"));
        assertThat(files(second)).isEqualTo(files);
        for (Path f : files) {
            assertThat(Files.readAllBytes(second.resolve(f))).as("%s is byte-identical", f).isEqualTo(Files.readAllBytes(first.resolve(f)));
        }
    }

    private static void makeInChildJvm(Path out) throws IOException, InterruptedException {
        Path log = Files.createDirectories(out).resolveSibling(out.getFileName() + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Xss4m",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR",
                        Path.of(System.getProperty("user.home"), ".djl.ai").toString())),
                MakeArtifacts.class.getName(), out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
