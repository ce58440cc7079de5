package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real crash: the server runs in its own JVM with the embedded PostgreSQL and is killed with SIGKILL in the
 * middle of an upload. Its postgres is left running as an orphan with its postmaster.pid. The next start must stop
 * the orphan, start its own, and show every finished upload and nothing half-written.
 */
class CrashRecoveryIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;

    @TempDir
    Path dataDir;

    @Test
    void killMinusNineMidUploadThenRestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SliceFineApplication.class.getName(),
                "--server.port=" + port, "--slicefine.data-dir=" + dataDir, "--slicefine.admin-key=" + KEY,
                "--spring.main.banner-mode=off")
                .redirectErrorStream(true).redirectOutput(Path.of("target", "crash-recovery-child.log").toFile())
                .start();
        Optional<ProcessHandle> orphan = Optional.empty();
        String finishedId;
        byte[] finished = "{\"text\":\"before the crash\",\"label\":\"a\"}\n".getBytes();
        try {
            Http http = new Http(port);
            Fixtures.await(Duration.ofMinutes(2), () -> ready(http), ok -> ok || !child.isAlive());
            assertThat(child.isAlive()).isTrue();
            Http.Response r = http.post("/v1/datasets", KEY, new Http.Multipart().file("finished.jsonl", finished));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            finishedId = r.json().get("id").asString();

            // Half an upload on the wire, then SIGKILL.
            HttpURLConnection upload = (HttpURLConnection) URI.create("http://localhost:" + port + "/v1/datasets").toURL().openConnection();
            upload.setDoOutput(true);
            upload.setChunkedStreamingMode(64 * 1024);
            upload.setRequestProperty("Authorization", "Bearer " + KEY);
            upload.setRequestProperty("Content-Type", "multipart/form-data; boundary=b");
            OutputStream out = upload.getOutputStream();
            out.write("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.jsonl\"\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "{\"text\":\"x\",\"label\":\"y\"}\n".repeat(4000).getBytes();
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
            }
            out.flush();
            Fixtures.await(Duration.ofSeconds(30), () -> tmpBytes(), n -> n > 0);

            orphan = postmaster();
            assertThat(orphan).as("embedded postgres runs").isPresent();
            child.destroyForcibly().waitFor();
            upload.disconnect();
        } finally {
            child.destroyForcibly();
        }
        try {
            recover(orphan, finishedId, finished);
        } finally {
            orphan.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroy); // never leave a postgres behind
        }
    }

    private void recover(Optional<ProcessHandle> orphan, String finishedId, byte[] finished) throws Exception {
        assertThat(orphan.get().isAlive()).as("SIGKILL leaves postgres behind").isTrue();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

        try (ServerProcess server = ServerProcess.start(dataDir, null)) {
            assertThat(orphan.get().isAlive()).as("the orphan was stopped").isFalse();
            Http http = server.http();
            List<String> names = http.get("/v1/datasets", KEY).json().get("items").findValuesAsString("name");
            assertThat(names).containsExactly("finished.jsonl");
            Http.Response kept = http.get("/v1/datasets/" + finishedId, KEY);
            assertThat(kept.json().get("sha256").asString()).isEqualTo(Fixtures.sha256(finished));
            assertThat(tmpBytes()).isZero();
            Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/datasets/" + finishedId, KEY).json().get("status").asString(),
                    s -> s.equals("ready"));
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    private static boolean ready(Http http) {
        try {
            return http.get("/actuator/health/readiness", null).status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private long tmpBytes() {
        try (Stream<Path> files = Files.list(dataDir.resolve("blobs/.tmp"))) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private Optional<ProcessHandle> postmaster() throws IOException {
        Path pid = dataDir.resolve("postgres/postmaster.pid");
        if (!Files.exists(pid)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim()));
    }
}
