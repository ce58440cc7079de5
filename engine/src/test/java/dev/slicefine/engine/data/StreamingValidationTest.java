package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate() streams: a JSONL file several times larger than the heap validates in a child JVM with -Xmx24m
 * (no tokenizer, so nothing per line is kept).
 */
class StreamingValidationTest {
    @TempDir
    Path dir;

    /** Entry point of the child JVM: prints the report's valid count and issue count. */
    public static void main(String[] args) {
        ValidationReport r = DatasetReader.validate(Path.of(args[0]), DatasetOptions.textClassification(null, 0));
        System.out.println(r.validExamples() + " " + r.issueCount() + " " + r.labels().size());
    }

    @Test
    void validatesAFileLargerThanTheHeapInConstantMemory() throws IOException, InterruptedException {
        Path f = dir.resolve("big.jsonl");
        String text = "lorem ipsum dolor sit amet ".repeat(8);
        int lines = 400_000;
        try (BufferedWriter w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < lines; i++) {
                w.write("{\"text\": \"" + i + " " + text + "\", \"label\": \"l" + (i % 5) + "\"}\n");
            }
        }
        assertThat(Files.size(f)).isGreaterThan(80L * 1024 * 1024);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                StreamingValidationTest.class.getName(), f.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).endsWith(lines + " 0 5");
    }
}
