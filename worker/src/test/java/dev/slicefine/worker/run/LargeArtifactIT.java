package dev.slicefine.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * A full fine-tune's artifact can be larger than the worker's heap: packing a 1.5 GB folder into the blob store
 * must stream. A worker JVM limited to 256 MB of heap stores a 1.5 GB artifact (sparse files: the folder itself
 * takes no disk; the zip and the blob share one 1.5 GB file, deleted as soon as the test has looked at it).
 */
class LargeArtifactIT {
    private static final long GIB = 1L << 30;

    @Test
    void aWorkerWithA256MbHeapStoresA15GbArtifact() throws Exception {
        Path root = Files.createTempDirectory("slicefine-large-artifact");
        try {
            Path folder = Files.createDirectories(root.resolve("job/out"));
            sparse(folder.resolve("model-00001-of-00002.safetensors"), GIB);
            sparse(folder.resolve("model-00002-of-00002.safetensors"), GIB / 2);
            Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 1024}");
            Path blobs = root.resolve("blobs");

            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path log = root.resolve("child.log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath, StoreArtifactMain.class.getName(),
                    folder.toString(), blobs.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = child.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                child.destroyForcibly();
            }
            List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertThat(done).as("child finished in time: %s", out).isTrue();
            assertThat(child.exitValue()).as("child exit code; output: %s", out).isZero();

            long heap = Long.parseLong(line(out, "heap ")[1]);
            assertThat(heap).isLessThanOrEqualTo(256L * 1024 * 1024);
            String[] blob = line(out, "blob ");
            String sha = blob[1];
            long size = Long.parseLong(blob[2]);
            assertThat(size).isGreaterThan(GIB + GIB / 2);
            Path stored = blobs.resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
            assertThat(Files.size(stored)).isEqualTo(size);
            assertThat(folder.resolveSibling("artifact.zip")).doesNotExist();

            List<String> entries = new ArrayList<>();
            for (String l : out) {
                if (l.startsWith("entry ")) {
                    entries.add(l.split(" ")[1] + " " + l.split(" ")[2]);
                }
            }
            assertThat(entries).containsExactly("config.json " + Files.size(folder.resolve("config.json")),
                    "model-00001-of-00002.safetensors " + GIB, "model-00002-of-00002.safetensors " + GIB / 2);
            try (ZipFile zip = new ZipFile(stored.toFile())) {
                ZipEntry shard = zip.getEntry("model-00001-of-00002.safetensors");
                assertThat(shard.getSize()).isEqualTo(GIB);
                assertThat(shard.getMethod()).isEqualTo(ZipEntry.STORED);
                assertThat(new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8))
                        .contains("hidden_size");
            }
        } finally {
            deleteTree(root);
        }
    }

    private static void sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            f.seek(size - 8);
            f.writeLong(0x5afe7e45012345L);
        }
    }

    private static String[] line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in " + out)).split(" ");
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
