package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stops the server in the middle of an upload and in the middle of validation, and adds what a crash leaves
 * (a half-written temporary file, a published blob whose transaction never committed). After the restart nothing
 * half-written is visible, nothing finished is lost, and interrupted validations run again.
 */
class RestartSafetyIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;

    @TempDir
    Path dataDir;

    @Test
    void nothingHalfWrittenIsVisibleAndNothingFinishedIsLostAcrossARestart() throws Exception {
        String url = TestDatabase.get().url("restart_it");
        byte[] finished = "{\"text\":\"kept\",\"label\":\"a\"}\n{\"text\":\"also kept\",\"label\":\"b\"}\n".getBytes();
        String finishedId;
        String validatingId;
        String resumableId;
        byte[] resumable = "{\"text\":\"resumed\",\"label\":\"x\"}\n".repeat(1000).getBytes();
        String modelId;

        // 1st life: validation is slowed down so the server can be stopped while it runs.
        try (ServerProcess server = ServerProcess.start(dataDir, url, "--slicefine.validation.start-delay=1h")) {
            Http http = server.http();
            finishedId = upload(http, "finished.jsonl", finished).get("id").asString();
            modelId = http.post("/v1/models", KEY, multipart(Fixtures.bertTiny())).json().get("id").asString();
            validatingId = upload(http, "validating.jsonl", "{\"text\":\"t\",\"label\":\"l\"}\n".getBytes()).get("id").asString();
            assertThat(http.get("/v1/datasets/" + validatingId, KEY).json().get("status").asString()).isEqualTo("validating");

            resumableId = http.postJson("/v1/uploads", KEY, "{\"purpose\":\"dataset\",\"filename\":\"r.jsonl\",\"size\":"
                    + resumable.length + "}").json().get("id").asString();
            patch(http, resumableId, 0, Arrays.copyOfRange(resumable, 0, 10_000));

            // An upload that is still streaming when the server stops.
            CountDownLatch release = new CountDownLatch(1);
            startSlowUpload(server.port(), release);
            Path tmp = dataDir.resolve("blobs/.tmp");
            Fixtures.await(Duration.ofSeconds(30), () -> partBytes(tmp), n -> n >= 512 * 1024);

            server.close();
            release.countDown();
        }

        // What a crash (rather than a stop) could leave: a half-written temp file, and a blob file published by a
        // transaction that never committed.
        Files.write(dataDir.resolve("blobs/.tmp/crashed.part"), new byte[4096]);
        byte[] orphan = "orphan".getBytes();
        String orphanSha = Fixtures.sha256(orphan);
        Path orphanFile = dataDir.resolve("blobs").resolve(orphanSha.substring(0, 2)).resolve(orphanSha.substring(2, 4)).resolve(orphanSha);
        Files.createDirectories(orphanFile.getParent());
        Files.write(orphanFile, orphan);

        // 2nd life.
        try (ServerProcess server = ServerProcess.start(dataDir, url)) {
            Http http = server.http();
            JdbcClient jdbc = server.bean(JdbcClient.class);

            try (Stream<Path> files = Files.list(dataDir.resolve("blobs/.tmp"))) {
                assertThat(files.toList()).as("temporary files are gone").isEmpty();
            }
            assertThat(orphanFile).as("unreferenced blob is gone").doesNotExist();
            assertThat(blobFilesOnDisk()).as("every blob file has a row and every row a file")
                    .isEqualTo(new HashSet<>(jdbc.sql("SELECT sha256 FROM blobs").query(String.class).list()));

            List<String> names = http.get("/v1/datasets?limit=100", KEY).json().get("items").findValuesAsString("name");
            assertThat(names).containsExactlyInAnyOrder("finished.jsonl", "validating.jsonl");

            JsonNode kept = http.get("/v1/datasets/" + finishedId, KEY).json();
            assertThat(kept.get("sha256").asString()).isEqualTo(Fixtures.sha256(finished));
            assertThat(blobContent(kept.get("sha256").asString())).isEqualTo(finished);
            JsonNode model = http.get("/v1/models/" + modelId, KEY).json();
            for (JsonNode f : model.get("files")) {
                assertThat(Fixtures.sha256(blobContent(f.get("sha256").asString()))).isEqualTo(f.get("sha256").asString());
            }

            JsonNode revalidated = Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/datasets/" + validatingId, KEY).json(),
                    d -> !d.get("status").asString().equals("validating"));
            assertThat(revalidated.get("status").asString()).isEqualTo("ready");
            assertThat(revalidated.get("report").get("rows").asLong()).isEqualTo(1);

            // The resumable upload resumes where the disk says it is.
            Http.Response head = http.send(http.request("/v1/uploads/" + resumableId, KEY)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            long offset = Long.parseLong(head.header("Upload-Offset"));
            assertThat(offset).isEqualTo(10_000);
            patch(http, resumableId, offset, Arrays.copyOfRange(resumable, (int) offset, resumable.length));
            JsonNode done = http.postJson("/v1/uploads/" + resumableId + "/complete", KEY, "").json();
            JsonNode dataset = http.get(done.get("result_url").asString(), KEY).json();
            assertThat(dataset.get("sha256").asString()).isEqualTo(Fixtures.sha256(resumable));
        }
    }

    private JsonNode upload(Http http, String filename, byte[] content) {
        Http.Response r = http.post("/v1/datasets", KEY, new Http.Multipart().file(filename, content));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static Http.Multipart multipart(java.util.Map<String, byte[]> files) {
        Http.Multipart body = new Http.Multipart();
        files.forEach(body::file);
        return body;
    }

    private static void patch(Http http, String id, long offset, byte[] chunk) {
        Http.Response r = http.send(http.request("/v1/uploads/" + id, KEY).header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk)).build());
        assertThat(r.status()).as(r.body()).isEqualTo(204);
    }

    /** A 4 MB multipart upload that sends 1 MB and then waits for {@code release}. */
    private static void startSlowUpload(int port, CountDownLatch release) {
        String boundary = "slowboundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.jsonl\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        InputStream slow = new InputStream() {
            long sent;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= 4 * 1024 * 1024) {
                    return -1;
                }
                if (sent >= 1024 * 1024) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                int n = (int) Math.min(len, 64 * 1024);
                Arrays.fill(b, off, off + n, (byte) 'x');
                sent += n;
                return n;
            }
        };
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/datasets"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                        new SequenceInputStream(new ByteArrayInputStream(head), slow), new ByteArrayInputStream(tail))))
                .build();
        HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.discarding());
    }

    private static long partBytes(Path tmp) {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private Set<String> blobFilesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).filter(p -> !p.startsWith(dataDir.resolve("blobs/.tmp")))
                    .map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private byte[] blobContent(String sha) throws IOException {
        return Files.readAllBytes(dataDir.resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha));
    }
}
