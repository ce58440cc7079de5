package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** 20 uploads at once: distinct files each stored once, identical files stored once in all, every hash verified. */
class ConcurrentUploadIT extends ApiTestBase {
    private static final int CLIENTS = 20;

    private List<JsonNode> uploadAll(String key, List<byte[]> contents) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < contents.size(); i++) {
                byte[] content = contents.get(i);
                int n = i;
                Callable<Http.Response> upload = () -> {
                    start.await();
                    return http.post("/v1/datasets", key, new Http.Multipart().field("name", "c" + n).file("d" + n + ".jsonl", content));
                };
                futures.add(pool.submit(upload));
            }
            start.countDown();
            List<JsonNode> results = new ArrayList<>();
            for (Future<Http.Response> f : futures) {
                Http.Response r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                results.add(r.json());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] jsonl(long seed, int rows) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append("{\"text\":\"").append(Long.toHexString(random.nextLong())).append("\",\"label\":\"")
                    .append(random.nextInt(4)).append("\"}\n");
        }
        return sb.toString().getBytes();
    }

    private Path blobFile(String sha) {
        return DATA_DIR.resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
    }

    @Test
    void distinctFilesAreAllStoredCorrectly() throws Exception {
        TenantKey t = newTenant();
        long seed = System.nanoTime();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            contents.add(jsonl(seed + i, 3000)); // ~100 KB each
        }
        List<JsonNode> results = uploadAll(t.key(), contents);
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < CLIENTS; i++) {
            String sha = results.get(i).get("sha256").asString();
            assertThat(sha).isEqualTo(Fixtures.sha256(contents.get(i)));
            assertThat(Fixtures.sha256(Files.readAllBytes(blobFile(sha)))).isEqualTo(sha);
            assertThat(refCount(sha)).isEqualTo(1);
            hashes.add(sha);
        }
        assertThat(hashes).hasSize(CLIENTS);
        assertThat(http.get("/v1/datasets?limit=100", t.key()).json().get("items").size()).isEqualTo(CLIENTS);
    }

    @Test
    void identicalFilesAreStoredOnceWithOneReferenceEach() throws Exception {
        TenantKey t = newTenant();
        byte[] same = jsonl(System.nanoTime(), 6000); // ~200 KB
        String sha = Fixtures.sha256(same);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            contents.add(same);
        }
        List<JsonNode> results = uploadAll(t.key(), contents);
        assertThat(results).allSatisfy(r -> assertThat(r.get("sha256").asString()).isEqualTo(sha));
        assertThat(results.stream().map(r -> r.get("id").asString()).distinct()).hasSize(CLIENTS);
        assertThat(refCount(sha)).isEqualTo(CLIENTS);
        assertThat(Fixtures.sha256(Files.readAllBytes(blobFile(sha)))).isEqualTo(sha);
        try (var tmp = Files.list(DATA_DIR.resolve("blobs").resolve(".tmp"))) {
            assertThat(tmp.filter(p -> p.getFileName().toString().endsWith(".part")).count())
                    .as("no temporary files left behind").isZero();
        }

        // Deleting all but one keeps the blob; deleting the last removes it.
        for (int i = 0; i < CLIENTS - 1; i++) {
            assertThat(http.delete("/v1/datasets/" + results.get(i).get("id").asString(), t.key()).status()).isEqualTo(204);
        }
        assertThat(refCount(sha)).isEqualTo(1);
        assertThat(blobFile(sha)).exists();
        assertThat(http.delete("/v1/datasets/" + results.get(CLIENTS - 1).get("id").asString(), t.key()).status()).isEqualTo(204);
        assertThat(blobFile(sha)).doesNotExist();
    }

    private int refCount(String sha) {
        return jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = :s").param("s", sha).query(Integer.class)
                .optional().orElse(0);
    }
}
