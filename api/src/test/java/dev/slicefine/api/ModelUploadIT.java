package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Archives;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class ModelUploadIT extends ApiTestBase {

    private Http.Response uploadFiles(String key, String name, Map<String, byte[]> files) {
        Http.Multipart body = new Http.Multipart();
        if (name != null) {
            body.field("name", name);
        }
        files.forEach(body::file);
        return http.post("/v1/models", key, body);
    }

    private JsonNode awaitReport(String key, String id) {
        return Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/models/" + id, key).json(),
                m -> !m.get("report").isNull()
                        && (!m.get("status").asString().equals("validating") || !m.get("report").path("pending").isNull()));
    }

    @Test
    void uploadsCheckpointFilesWithHashesAndChecksTheirStructure() {
        TenantKey t = newTenant();
        Map<String, byte[]> files = Fixtures.bertTiny();
        Http.Response r = uploadFiles(t.key(), "bert-tiny", files);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode model = r.json();
        assertThat(r.header("Location")).isEqualTo("/v1/models/" + model.get("id").asString());
        assertThat(model.get("name").asString()).isEqualTo("bert-tiny");
        assertThat(model.get("status").asString()).isEqualTo("validating");
        assertThat(model.get("source_format").asString()).isEqualTo("files");
        assertThat(model.get("total_size").asLong()).isEqualTo(files.values().stream().mapToLong(b -> b.length).sum());
        for (JsonNode f : model.get("files")) {
            assertThat(f.get("sha256").asString()).isEqualTo(Fixtures.sha256(files.get(f.get("path").asString())));
        }

        JsonNode checked = awaitReport(t.key(), model.get("id").asString());
        JsonNode report = checked.get("report");
        assertThat(checked.get("status").asString()).as(checked.toString()).isEqualTo("ready");
        assertThat(report.get("family").asString()).isEqualTo("bert");
        assertThat(report.get("architecture").asString()).isEqualTo("BertForSequenceClassification");
        assertThat(report.get("tensor_count").asInt()).isPositive();
        assertThat(report.get("parameter_count").asLong()).isPositive();
        assertThat(report.get("dtypes").toString()).contains("F32");
        assertThat(report.get("tokenizer_present").asBoolean()).isTrue();
        assertThat(report.get("problems").isEmpty()).isTrue();
        assertThat(report.get("pending").isNull()).isTrue();
    }

    @Test
    void checkpointTheEngineCannotLoadBecomesInvalidWithItsProblems() {
        TenantKey t = newTenant();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", Fixtures.resource("bert-tiny/config.json"));
        files.put("model.safetensors", safetensorsWithOneTensor("unrelated.weight"));
        Http.Response r = uploadFiles(t.key(), "wrong-weights", files);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode checked = awaitReport(t.key(), r.json().get("id").asString());
        assertThat(checked.get("status").asString()).as(checked.toString()).isEqualTo("invalid");
        assertThat(checked.get("report").get("family").asString()).isEqualTo("bert");
        assertThat(checked.get("report").get("problems").isEmpty()).isFalse();
    }

    /** A well-formed safetensors file holding one F32 tensor of shape [2]. */
    private static byte[] safetensorsWithOneTensor(String name) {
        byte[] header = ("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}")
                .getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putFloat(1f).putFloat(2f);
        return b.array();
    }

    @Test
    void structurallyBrokenCheckpointBecomesInvalidWithReasons() {
        TenantKey t = newTenant();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", "{not json".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", new byte[]{1, 2, 3});
        Http.Response r = uploadFiles(t.key(), "broken", files);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode checked = awaitReport(t.key(), r.json().get("id").asString());
        assertThat(checked.get("status").asString()).isEqualTo("invalid");
        assertThat(checked.get("report").get("problems").toString())
                .contains("config.json is not valid JSON").contains("model.safetensors: too short");

        Http.Response noConfig = uploadFiles(t.key(), "no-config",
                Map.of("model.safetensors", Fixtures.resource("bert-tiny/model.safetensors")));
        JsonNode checked2 = awaitReport(t.key(), noConfig.json().get("id").asString());
        assertThat(checked2.get("status").asString()).isEqualTo("invalid");
        assertThat(checked2.get("report").get("problems").toString()).contains("config.json is missing");
    }

    @Test
    void uploadsCheckpointAsZipTarAndTarGzOfTheFolder() {
        TenantKey t = newTenant();
        Map<String, byte[]> folder = new LinkedHashMap<>();
        Fixtures.bertTiny().forEach((k, v) -> folder.put("bert-tiny/" + k, v));
        Map<String, byte[]> archives = Map.of(
                "bert.zip", Archives.zip(folder),
                "bert.tar", Archives.tar(folder, false),
                "bert.tar.gz", Archives.tar(folder, true));
        for (var a : archives.entrySet()) {
            Http.Response r = http.post("/v1/models", t.key(), new Http.Multipart().file(a.getKey(), a.getValue()));
            assertThat(r.status()).as(a.getKey() + " " + r.body()).isEqualTo(201);
            JsonNode m = r.json();
            assertThat(m.get("source_format").asString()).isEqualTo(a.getKey().substring(a.getKey().indexOf('.') + 1));
            assertThat(m.get("upload_sha256").asString()).isEqualTo(Fixtures.sha256(a.getValue()));
            assertThat(m.get("files").findValuesAsString("path"))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "tokenizer.json");
            assertThat(awaitReport(t.key(), m.get("id").asString()).get("report").get("family").asString()).isEqualTo("bert");
        }
    }

    @Test
    void refusesPathTraversalAndAbsolutePaths() {
        TenantKey t = newTenant();
        assertProblem(uploadFiles(t.key(), null, Map.of("../config.json", new byte[]{'{', '}'})), 400, "unsafe_path");
        assertProblem(uploadFiles(t.key(), null, Map.of("/etc/config.json", new byte[]{'{', '}'})), 400, "unsafe_path");
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("../../evil.json", json)))), 400, "unsafe_path");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("/abs/config.json", json)))), 400, "unsafe_path");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.tar",
                Archives.tar(Map.of("a/../../evil.json", json), false))), 400, "unsafe_path");
        assertThat(http.get("/v1/models", t.key()).json().get("items").isEmpty()).isTrue();
    }

    @Test
    void refusesLinksInArchives() {
        TenantKey t = newTenant();
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.tar.gz",
                Archives.tar(Map.of("config.json", json), Map.of("model.safetensors", "/etc/passwd"), true))),
                400, "archive_link_not_allowed");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("config.json", json), Map.of("model.safetensors", "../../etc/passwd")))),
                400, "archive_link_not_allowed");
    }

    @Test
    void refusesArchiveBombs() {
        TenantKey t = newTenant();
        byte[] zeros = new byte[16 * 1024 * 1024];
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("bomb.zip",
                Archives.zip(Map.of("model.safetensors", zeros)))), 422, "archive_bomb");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("bomb.tar.gz",
                Archives.tar(Map.of("model.safetensors", zeros), true))), 422, "archive_bomb");
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            many.put("f" + i + ".json", "{}".getBytes(StandardCharsets.UTF_8));
        }
        Http.Response tooMany = http.post("/v1/models", t.key(), new Http.Multipart().file("many.zip", Archives.zip(many)));
        assertProblem(tooMany, 422, "archive_bomb");
        assertThat(tooMany.json().get("detail").asString()).contains("entries");
    }

    @Test
    void refusesPickleCheckpointsAndSaysWhy() {
        TenantKey t = newTenant();
        for (String name : List.of("pytorch_model.bin", "model.pt", "weights.pth", "data.pkl", "last.ckpt")) {
            Http.Response r = uploadFiles(t.key(), null, Map.of("config.json", "{}".getBytes(), name, new byte[]{(byte) 0x80, 2}));
            assertProblem(r, 422, "pickle_not_allowed");
            assertThat(r.json().get("detail").asString()).contains("arbitrary code").contains("safetensors");
        }
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("m/config.json", "{}".getBytes(), "m/pytorch_model.bin", new byte[]{1})))),
                422, "pickle_not_allowed");
    }

    @Test
    void refusesUnknownFormatsOversizeBodiesAndNonMultipart() {
        TenantKey t = newTenant();
        assertProblem(uploadFiles(t.key(), null, Map.of("model.onnx", new byte[]{1})), 415, "unsupported_format");
        assertProblem(uploadFiles(t.key(), null, Map.of("tf_model.h5", new byte[]{1})), 415, "unsupported_format");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().file("fake.zip", "not a zip".getBytes())),
                415, "unsupported_format");
        assertProblem(uploadFiles(t.key(), null, Map.of("model.safetensors", new byte[9 * 1024 * 1024])),
                413, "payload_too_large");
        assertProblem(http.postJson("/v1/models", t.key(), "{}"), 415, "unsupported_media_type");
        assertProblem(http.post("/v1/models", t.key(), new Http.Multipart().field("name", "x")), 400, "no_files");
        assertThat(http.get("/v1/models", t.key()).json().get("items").isEmpty()).isTrue();
    }

    @Test
    void listsWithCursorPaginationAndFilters() {
        TenantKey t = newTenant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Http.Response r = uploadFiles(t.key(), (i % 2 == 0 ? "even-" : "odd-") + i,
                    Map.of("config.json", ("{\"i\":" + i + "}").getBytes()));
            assertThat(r.status()).isEqualTo(201);
            ids.add(0, r.json().get("id").asString());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = http.get("/v1/models?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), t.key()).json();
            page.get("items").forEach(m -> seen.add(m.get("id").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids);

        assertThat(http.get("/v1/models?name=EVEN", t.key()).json().get("items").size()).isEqualTo(3);
        Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/models?status=invalid", t.key()).json().get("items").size(),
                n -> n == 5); // no weights in these: all invalid
        assertThat(http.get("/v1/models?status=ready", t.key()).json().get("items").size()).isZero();
        assertProblem(http.get("/v1/models?status=bogus", t.key()), 400, "invalid_parameter");
        assertProblem(http.get("/v1/models?cursor=garbage", t.key()), 400, "invalid_cursor");
        assertProblem(http.get("/v1/models?limit=1000", t.key()), 400, "invalid_parameter");
    }

    @Test
    void anotherTenantsModelAnswersNotFound() {
        TenantKey a = newTenant();
        TenantKey b = newTenant();
        String id = uploadFiles(a.key(), "mine", Fixtures.bertTiny()).json().get("id").asString();
        assertProblem(http.get("/v1/models/" + id, b.key()), 404, "not_found");
        assertProblem(http.delete("/v1/models/" + id, b.key()), 404, "not_found");
        assertThat(http.get("/v1/models", b.key()).json().get("items").isEmpty()).isTrue();
        assertThat(http.get("/v1/models/" + id, a.key()).status()).isEqualTo(200);
        assertProblem(http.get("/v1/models/" + UUID.randomUUID(), a.key()), 404, "not_found");
        assertProblem(http.get("/v1/models/not-a-uuid", a.key()), 404, "not_found");
    }

    @Test
    void deleteReleasesBlobsAndSharedBlobsSurviveUntilTheLastReference() {
        TenantKey t = newTenant();
        byte[] unique = ("{\"unique\":\"" + UUID.randomUUID() + "\"}").getBytes();
        String sha = Fixtures.sha256(unique);
        String first = uploadFiles(t.key(), "a", Map.of("config.json", unique)).json().get("id").asString();
        String second = uploadFiles(t.key(), "b", Map.of("config.json", unique)).json().get("id").asString();
        assertThat(refCount(sha)).isEqualTo(2);
        java.nio.file.Path file = DATA_DIR.resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
        assertThat(file).exists().hasBinaryContent(unique);

        assertThat(http.delete("/v1/models/" + first, t.key()).status()).isEqualTo(204);
        assertProblem(http.get("/v1/models/" + first, t.key()), 404, "not_found");
        assertThat(refCount(sha)).isEqualTo(1);
        assertThat(file).exists();

        assertThat(http.delete("/v1/models/" + second, t.key()).status()).isEqualTo(204);
        assertThat(refCount(sha)).isZero();
        assertThat(file).doesNotExist();
        assertProblem(http.delete("/v1/models/" + second, t.key()), 404, "not_found");
    }

    @Test
    void deleteIsRefusedWhileAQueuedOrRunningJobUsesTheModel() {
        TenantKey t = newTenant();
        String id = uploadFiles(t.key(), "busy", Fixtures.bertTiny()).json().get("id").asString();
        UUID job = UUID.randomUUID();
        jdbc.sql("INSERT INTO jobs (id, tenant_id, model_id, status, queued_at) VALUES (:id, :t, :m, 'queued', now())")
                .param("id", job).param("t", t.tenantId()).param("m", UUID.fromString(id)).update();
        assertProblem(http.delete("/v1/models/" + id, t.key()), 409, "model_in_use");
        jdbc.sql("UPDATE jobs SET status = 'running', lease_owner = 'w1', lease_expires_at = now() + interval '1 minute' WHERE id = :id")
                .param("id", job).update();
        assertProblem(http.delete("/v1/models/" + id, t.key()), 409, "model_in_use");
        jdbc.sql("UPDATE jobs SET status = 'succeeded', lease_owner = null, finished_at = now() WHERE id = :id")
                .param("id", job).update();
        assertThat(http.delete("/v1/models/" + id, t.key()).status()).isEqualTo(204);
        assertThat(jdbc.sql("SELECT model_id FROM jobs WHERE id = :id").param("id", job).query(UUID.class).optional()).isEmpty();
    }

    private int refCount(String sha) {
        return jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = :s").param("s", sha).query(Integer.class)
                .optional().orElse(0);
    }
}
