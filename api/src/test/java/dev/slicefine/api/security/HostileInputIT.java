package dev.slicefine.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Archives;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The attacker's table: each row is one hostile request (another tenant's key, crafted paths, hostile names and
 * files, misuse of resumable uploads) with the status and {@code code} it must get. After every row nothing may be
 * left behind: no blob, no temporary or part file, no row. Add a row for every hole found; it stays closed.
 */
class HostileInputIT extends ApiTestBase {
    private static final String NUL = "%00";
    private static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

    /** One hostile request and the answer it must get. */
    record Row(String name, Function<World, Http.Response> request, int status, String code) {}

    /** Tenant a owns one of everything; tenant b attacks it. */
    record World(Http http, String a, String b, UUID tenantA, String model, String dataset, String job, String upload,
                 String keyOfA) {}

    private static World world;

    @TestFactory
    Stream<DynamicTest> everyHostileRequestIsRefusedAndLeavesNothingBehind() {
        World w = world();
        List<Row> rows = rows();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(100);
        return rows.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Snapshot before = snapshot(w);
            Http.Response r = row.request().apply(w);
            assertProblem(r, row.status(), row.code());
            assertThat(r.body()).doesNotContain(DATA_DIR.toString()).doesNotContain("/data/");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            Snapshot after = snapshot(w);
            assertThat(after.files()).as("files under the data dir after '%s'", row.name()).isEqualTo(before.files());
            assertThat(after.rows()).as("rows after '%s'", row.name()).isEqualTo(before.rows());
        }));
    }

    static int rowCount() {
        return rows().size();
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        // --- 1. SSRF through webhook_url, refused at creation ---
        for (String url : List.of("http://127.0.0.1/hook", "http://localhost/hook", "http://[::1]/hook",
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hook", "http://192.168.1.1/hook",
                "http://172.16.0.1/hook", "http://[fd00::1]/hook", "http://[fe80::1]/hook", "http://0.0.0.0/hook",
                "http://224.0.0.1/hook", "http://0x7f000001/hook", "http://2130706433/hook", "http://0177.0.0.1/hook",
                "http://127.1/hook", "http://[::ffff:127.0.0.1]/hook", "http://user:pass@example.com/hook",
                "http://example.com:8080/hook", "http://metadata.google.internal/computeMetadata/v1/",
                "http://hooks.example.test/hook", "ftp://example.com/hook", "file:///etc/passwd")) {
            rows.add(new Row("webhook " + url, w -> createJob(w, w.a(), "\"webhook_url\":\"" + url + "\""), 422, "invalid_job"));
        }
        // --- 2. auth decided on the routed path ---
        rows.add(new Row("POST /v1;/tenants without a key", w -> w.http().postJson("/v1;/tenants", null, "{\"name\":\"x\"}"), 400, "invalid_path"));
        rows.add(new Row("GET /v1;x=1/models without a key", w -> w.http().get("/v1;x=1/models", null), 400, "invalid_path"));
        rows.add(new Row("GET /%761/models without a key", w -> w.http().get("/%761/models", null), 401, "unauthorized"));
        rows.add(new Row("GET /v1/%6dodels without a key", w -> w.http().get("/v1/%6dodels", null), 401, "unauthorized"));
        rows.add(new Row("GET /v1/./keys without a key", w -> w.http().get("/v1/./keys", null), 401, "unauthorized"));
        rows.add(new Row("GET /x/../v1/keys without a key", w -> w.http().get("/x/../v1/keys", null), 401, "unauthorized"));
        rows.add(new Row("GET //v1/keys without a key", w -> w.http().get("//v1/keys", null), 401, "unauthorized"));
        rows.add(new Row("POST /%761/tenants without a key", w -> w.http().postJson("/%761/tenants", null, "{\"name\":\"x\"}"), 401, "unauthorized"));
        rows.add(new Row("GET /error", w -> w.http().get("/error", null), 404, "not_found"));
        rows.add(new Row("tenant key on admin route", w -> w.http().postJson("/v1/tenants", w.b(), "{\"name\":\"evil\"}"), 403, "admin_required"));
        // --- 3. control characters in every text field ---
        for (String ch : List.of(NUL, "%7F", "%0D", "%0A", "%1B")) {
            rows.add(new Row("?name= filter on models with " + ch, w -> w.http().get("/v1/models?name=a" + ch, w.a()), 400, "control_characters"));
        }
        rows.add(new Row("?name= filter on datasets with NUL", w -> w.http().get("/v1/datasets?name=a" + NUL, w.a()), 400, "control_characters"));
        rows.add(new Row("?cursor= with NUL", w -> w.http().get("/v1/jobs?cursor=" + NUL, w.a()), 400, "control_characters"));
        rows.add(new Row("job name with NUL", w -> createJob(w, w.a(), "\"name\":\"a\\u0000b\""), 400, "control_characters"));
        rows.add(new Row("job name with LF", w -> createJob(w, w.a(), "\"name\":\"a\\nb\""), 400, "control_characters"));
        rows.add(new Row("key name with NUL", w -> w.http().postJson("/v1/keys", w.a(), "{\"name\":\"a\\u0000\"}"), 400, "control_characters"));
        rows.add(new Row("key name with DEL", w -> w.http().postJson("/v1/keys", w.a(), "{\"name\":\"a\\u007f\"}"), 400, "control_characters"));
        rows.add(new Row("tenant name with NUL", w -> w.http().postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"a\\u0000\"}"), 400, "invalid_request"));
        rows.add(new Row("model name with NUL", w -> w.http().post("/v1/models", w.a(),
                files(new Http.Multipart().field("name", "m\0"), Fixtures.bertTiny())), 400, "control_characters"));
        rows.add(new Row("dataset name with NUL", w -> w.http().post("/v1/datasets", w.a(),
                new Http.Multipart().field("name", "d\0").file("d.jsonl", JobFixtures.labelledJsonl(6))), 400, "control_characters"));
        rows.add(new Row("dataset text_field with CR", w -> w.http().post("/v1/datasets", w.a(),
                new Http.Multipart().field("text_field", "t\r").file("d.jsonl", JobFixtures.labelledJsonl(6))), 400, "control_characters"));
        rows.add(new Row("dataset file name with NUL", w -> w.http().post("/v1/datasets", w.a(),
                new Http.Multipart().file("d\0.jsonl", JobFixtures.labelledJsonl(6))), 400, "control_characters"));
        rows.add(new Row("dataset file name with DEL", w -> w.http().post("/v1/datasets", w.a(),
                new Http.Multipart().file("d\u007f.jsonl", JobFixtures.labelledJsonl(6))), 400, "control_characters"));
        rows.add(new Row("model file name with ESC", w -> w.http().post("/v1/models", w.a(),
                new Http.Multipart().file("config\u001b.json", JSON)), 400, "control_characters"));
        rows.add(new Row("upload name with NUL", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"d.jsonl\",\"size\":10,\"name\":\"a\\u0000\""), 400, "control_characters"));
        rows.add(new Row("upload file name with DEL", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"d\\u007f.jsonl\",\"size\":10"), 400, "unsafe_path"));
        rows.add(new Row("upload file name with LF", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"d\\n.jsonl\",\"size\":10"), 400, "unsafe_path"));
        rows.add(new Row("archive entry name with CR", w -> w.http().post("/v1/models", w.a(),
                new Http.Multipart().file("m.zip", Archives.zip(Map.of("config\r.json", JSON)))), 400, "unsafe_path"));
        // --- 8. unknown fields refused everywhere ---
        rows.add(new Row("unknown field on /v1/keys", w -> w.http().postJson("/v1/keys", w.a(), "{\"name\":\"k\",\"admn\":true}"), 400, "unknown_field"));
        rows.add(new Row("unknown field on /v1/uploads", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"d.jsonl\",\"size\":10,\"colour\":1"), 400, "unknown_field"));
        rows.add(new Row("unknown field on /v1/tenants", w -> w.http().postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"t-x\",\"plan\":\"free\"}"), 400, "unknown_field"));
        rows.add(new Row("unknown field on /v1/jobs", w -> createJob(w, w.a(), "\"colour\":1"), 422, "invalid_job"));
        // --- pickle, zip-slip, links, bombs, FIFO, oversize, malformed multipart (passing before, kept passing) ---
        rows.add(new Row("pickle checkpoint", w -> w.http().post("/v1/models", w.a(), new Http.Multipart()
                .file("config.json", JSON).file("pytorch_model.bin", new byte[]{(byte) 0x80, 2})), 422, "pickle_not_allowed"));
        rows.add(new Row("pickle inside a zip", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("m/config.json", JSON, "m/model.pt", new byte[]{1})))), 422, "pickle_not_allowed"));
        rows.add(new Row("pickle dataset", w -> w.http().post("/v1/datasets", w.a(), new Http.Multipart().file("d.pkl", new byte[]{1})), 422, "pickle_not_allowed"));
        rows.add(new Row("zip-slip ../", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("../../evil.json", JSON)))), 400, "unsafe_path"));
        rows.add(new Row("zip-slip absolute", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("/abs/config.json", JSON)))), 400, "unsafe_path"));
        rows.add(new Row("tar-slip", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.tar",
                Archives.tar(Map.of("a/../../evil.json", JSON), false))), 400, "unsafe_path"));
        rows.add(new Row("multipart file ../", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("../config.json", JSON)), 400, "unsafe_path"));
        rows.add(new Row("symlink in tar.gz", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.tar.gz",
                Archives.tar(Map.of("config.json", JSON), Map.of("model.safetensors", "/etc/passwd"), true))), 400, "archive_link_not_allowed"));
        rows.add(new Row("symlink in zip", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.zip",
                Archives.zip(Map.of("config.json", JSON), Map.of("model.safetensors", "../../etc/passwd")))), 400, "archive_link_not_allowed"));
        rows.add(new Row("FIFO in tar", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("m.tar", fifoTar())), 400, "unsupported_entry"));
        rows.add(new Row("zip bomb", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("bomb.zip",
                Archives.zip(Map.of("model.safetensors", new byte[16 * 1024 * 1024])))), 422, "archive_bomb"));
        rows.add(new Row("tar.gz bomb", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("bomb.tar.gz",
                Archives.tar(Map.of("model.safetensors", new byte[16 * 1024 * 1024]), true))), 422, "archive_bomb"));
        rows.add(new Row("image zip bomb", w -> w.http().post("/v1/datasets", w.a(), new Http.Multipart().file("x.zip",
                Archives.zip(Map.of("cat/1.png", new byte[16 * 1024 * 1024])))), 422, "archive_bomb"));
        rows.add(new Row("too many archive entries", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("many.zip", manyEntries())), 422, "archive_bomb"));
        rows.add(new Row("oversize model file", w -> w.http().post("/v1/models", w.a(), new Http.Multipart()
                .file("model.safetensors", new byte[9 * 1024 * 1024])), 413, "payload_too_large"));
        rows.add(new Row("oversize dataset", w -> w.http().post("/v1/datasets", w.a(), new Http.Multipart()
                .file("big.jsonl", new byte[9 * 1024 * 1024])), 413, "payload_too_large"));
        rows.add(new Row("not a zip", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("fake.zip", "no".getBytes())), 415, "unsupported_format"));
        rows.add(new Row("onnx model", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("model.onnx", new byte[]{1})), 415, "unsupported_format"));
        rows.add(new Row("malformed multipart", w -> w.http().send(w.http().request("/v1/models", w.a())
                .header("Content-Type", "multipart/form-data; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofString("--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.json\"\r\n\r\n{}"))
                .build()), 400, "malformed_multipart"));
        rows.add(new Row("multipart file without a name", w -> w.http().post("/v1/models", w.a(), new Http.Multipart().file("files", "", JSON)), 400, "missing_filename"));
        rows.add(new Row("JSON to a multipart route", w -> w.http().postJson("/v1/models", w.a(), "{}"), 415, "unsupported_media_type"));
        rows.add(new Row("two files for one dataset", w -> w.http().post("/v1/datasets", w.a(), new Http.Multipart()
                .file("a.jsonl", JobFixtures.labelledJsonl(3)).file("b.jsonl", JobFixtures.labelledJsonl(3))), 400, "too_many_files"));
        rows.add(new Row("malformed JSON", w -> w.http().postJson("/v1/keys", w.a(), "{\"name\": "), 400, "malformed_request"));
        // --- resumable misuse ---
        rows.add(new Row("resumable: Upload-Offset -1", w -> patch(w, w.a(), w.upload(), "-1", new byte[]{1}), 400, "invalid_offset"));
        rows.add(new Row("resumable: no Upload-Offset", w -> patch(w, w.a(), w.upload(), null, new byte[]{1}), 400, "missing_offset"));
        rows.add(new Row("resumable: wrong offset", w -> patch(w, w.a(), w.upload(), "5", new byte[]{1}), 409, "offset_mismatch"));
        rows.add(new Row("resumable: complete before the end", w -> w.http().postJson("/v1/uploads/" + w.upload() + "/complete", w.a(), ""), 409, "upload_incomplete"));
        rows.add(new Row("resumable: pickle", w -> startUpload(w, w.a(), "\"purpose\":\"model\",\"filename\":\"pytorch_model.bin\",\"size\":10"), 422, "pickle_not_allowed"));
        rows.add(new Row("resumable: traversal", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"../x.jsonl\",\"size\":10"), 400, "unsafe_path"));
        rows.add(new Row("resumable: oversize", w -> startUpload(w, w.a(), "\"purpose\":\"dataset\",\"filename\":\"x.jsonl\",\"size\":99999999999"), 413, "payload_too_large"));
        // --- cross-tenant access on every route ---
        rows.add(new Row("b reads a's model", w -> w.http().get("/v1/models/" + w.model(), w.b()), 404, "not_found"));
        rows.add(new Row("b deletes a's model", w -> w.http().delete("/v1/models/" + w.model(), w.b()), 404, "not_found"));
        rows.add(new Row("b reads a's dataset", w -> w.http().get("/v1/datasets/" + w.dataset(), w.b()), 404, "not_found"));
        rows.add(new Row("b deletes a's dataset", w -> w.http().delete("/v1/datasets/" + w.dataset(), w.b()), 404, "not_found"));
        rows.add(new Row("b reads a's token lengths", w -> w.http().get("/v1/datasets/" + w.dataset() + "/token-lengths?model_id=" + w.model(), w.b()), 404, "not_found"));
        rows.add(new Row("b trains on a's model", w -> createJob(w, w.b(), ""), 404, "not_found"));
        rows.add(new Row("b reads a's job", w -> w.http().get("/v1/jobs/" + w.job(), w.b()), 404, "not_found"));
        rows.add(new Row("b cancels a's job", w -> w.http().postJson("/v1/jobs/" + w.job() + "/cancel", w.b(), ""), 404, "not_found"));
        rows.add(new Row("b reads a's events", w -> w.http().get("/v1/jobs/" + w.job() + "/events", w.b()), 404, "not_found"));
        rows.add(new Row("b streams a's events", w -> w.http().send(w.http().request("/v1/jobs/" + w.job() + "/events", w.b())
                .header("Accept", "text/event-stream").GET().build()), 404, "not_found"));
        rows.add(new Row("b reads a's metrics", w -> w.http().get("/v1/jobs/" + w.job() + "/metrics", w.b()), 404, "not_found"));
        for (String a : List.of("", "/diff", "/merged", "/peft")) {
            rows.add(new Row("b reads a's artifacts" + a, w -> w.http().get("/v1/jobs/" + w.job() + "/artifacts" + a, w.b()), 404, "not_found"));
        }
        rows.add(new Row("b reads a's upload", w -> w.http().get("/v1/uploads/" + w.upload(), w.b()), 404, "not_found"));
        rows.add(new Row("b writes a's upload", w -> patch(w, w.b(), w.upload(), "0", new byte[]{1}), 404, "not_found"));
        rows.add(new Row("b completes a's upload", w -> w.http().postJson("/v1/uploads/" + w.upload() + "/complete", w.b(), ""), 404, "not_found"));
        rows.add(new Row("b aborts a's upload", w -> w.http().delete("/v1/uploads/" + w.upload(), w.b()), 404, "not_found"));
        rows.add(new Row("b revokes a's key", w -> w.http().delete("/v1/keys/" + w.keyOfA(), w.b()), 404, "not_found"));
        rows.add(new Row("b lists a's keys", w -> w.http().get("/v1/keys?tenant_id=" + w.tenantA(), w.b()), 404, "not_found"));
        rows.add(new Row("b makes a key for a", w -> w.http().postJson("/v1/keys", w.b(), "{\"name\":\"x\",\"tenant_id\":\"" + w.tenantA() + "\"}"), 404, "not_found"));
        rows.add(new Row("b reads tenant a", w -> w.http().get("/v1/tenants/" + w.tenantA(), w.b()), 403, "admin_required"));
        return rows;
    }

    /**
     * Hostile content that is only found out by validation (a lying safetensors header, a broken tokenizer, an index
     * that maps to itself): accepted, then {@code invalid} with reasons that name the files as uploaded and no server
     * path; deleting it leaves nothing behind.
     */
    @TestFactory
    Stream<DynamicTest> hostileCheckpointsBecomeInvalidWithoutServerPathsAndLeaveNothingOnDelete() {
        World w = world();
        Map<String, byte[]> bert = Fixtures.bertTiny();
        Map<String, Map<String, byte[]>> cases = new LinkedHashMap<>();
        Map<String, byte[]> lying = new LinkedHashMap<>(bert);
        lying.put("model.safetensors", lyingSafetensors());
        cases.put("lying safetensors", lying);
        Map<String, byte[]> tokenizer = new LinkedHashMap<>(bert);
        tokenizer.put("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": 7}}".getBytes(StandardCharsets.UTF_8));
        cases.put("broken tokenizer.json", tokenizer);
        Map<String, byte[]> index = new LinkedHashMap<>(bert);
        byte[] weights = index.remove("model.safetensors");
        index.put("model-00001-of-00001.safetensors", weights);
        index.put("model.safetensors.index.json", ("{\"weight_map\": {\"bert.embeddings.word_embeddings.weight\": "
                + "\"model.safetensors.index.json\", \"bert.pooler.dense.bias\": \"model-00001-of-00001.safetensors\"}}")
                .getBytes(StandardCharsets.UTF_8));
        cases.put("index that maps to itself", index);
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
            Snapshot before = snapshot(w);
            Http.Response r = w.http().post("/v1/models", w.a(), files(new Http.Multipart(), c.getValue()));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            String id = r.json().get("id").asString();
            var done = Fixtures.await(java.time.Duration.ofSeconds(60), () -> w.http().get("/v1/models/" + id, w.a()).json(),
                    m -> !m.get("status").asString().equals("validating"));
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("invalid");
            String named = c.getKey().startsWith("lying") ? "model.safetensors"
                    : c.getKey().startsWith("broken") ? "tokenizer.json" : "model.safetensors.index.json";
            assertThat(done.get("report").get("problems").toString()).contains(named);
            assertThat(done.toString()).doesNotContain(DATA_DIR.toString()).doesNotContain("/tmp/").doesNotContain("/blobs/");
            assertThat(w.http().delete("/v1/models/" + id, w.a()).status()).isEqualTo(204);
            Fixtures.await(java.time.Duration.ofSeconds(10), () -> snapshot(w), s -> s.equals(before));
            assertThat(snapshot(w)).isEqualTo(before);
        }));
    }

    /** A header whose tensor claims bytes the file does not have. */
    private static byte[] lyingSafetensors() {
        byte[] header = "{\"bert.pooler.dense.bias\":{\"dtype\":\"F32\",\"shape\":[1000000],\"data_offsets\":[0,4000000]}}"
                .getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putFloat(1f).putFloat(2f);
        return b.array();
    }

    // --- the world and the checks ---

    private World world() {
        if (world == null) {
            TenantKey a = newTenant();
            TenantKey b = newTenant();
            String model = JobFixtures.uploadModel(http, a.key(), Fixtures.bertTiny());
            String dataset = JobFixtures.uploadDataset(http, a.key(), "d.jsonl", JobFixtures.labelledJsonl(30), Map.of());
            Http.Response job = http.postJson("/v1/jobs", a.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"}");
            assertThat(job.status()).as(job.body()).isEqualTo(201);
            Http.Response upload = http.postJson("/v1/uploads", a.key(), "{\"purpose\":\"dataset\",\"filename\":\"u.jsonl\",\"size\":10}");
            assertThat(upload.status()).as(upload.body()).isEqualTo(201);
            Http.Response key = http.postJson("/v1/keys", a.key(), "{\"name\":\"second\"}");
            assertThat(key.status()).as(key.body()).isEqualTo(201);
            world = new World(http, a.key(), b.key(), a.tenantId(), model, dataset, job.json().get("id").asString(),
                    upload.json().get("id").asString(), key.json().get("id").asString());
        }
        return world;
    }

    record Snapshot(Map<String, Long> files, Map<String, Long> rows) {}

    private Snapshot snapshot(World w) {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(DATA_DIR)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                try {
                    files.put(DATA_DIR.relativize(p).toString(), Files.size(p));
                } catch (IOException e) {
                    files.put(DATA_DIR.relativize(p).toString(), -1L); // went away while we looked
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : List.of("models", "datasets", "jobs", "uploads", "api_keys")) {
            rows.put(table, jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single());
        }
        rows.put("tenants", jdbc.sql("SELECT count(*) FROM tenants").query(Long.class).single());
        rows.put("blobs", jdbc.sql("SELECT count(*) FROM blobs").query(Long.class).single());
        rows.put("model_files", jdbc.sql("SELECT count(*) FROM model_files").query(Long.class).single());
        rows.put("revoked keys", jdbc.sql("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL").query(Long.class).single());
        rows.put("cancelled", jdbc.sql("SELECT count(*) FROM jobs WHERE cancel_requested OR status = 'cancelled'").query(Long.class).single());
        rows.put("a's upload bytes", jdbc.sql("SELECT count(*) FROM uploads WHERE id = :id AND status = 'open'")
                .param("id", UUID.fromString(w.upload())).query(Long.class).single());
        return new Snapshot(files, rows);
    }

    private static String jobBody(World w, String extra) {
        return "{\"model_id\":\"" + w.model() + "\",\"dataset_id\":\"" + w.dataset() + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static Http.Response createJob(World w, String key, String extra) {
        return w.http().postJson("/v1/jobs", key, jobBody(w, extra));
    }

    private static Http.Response startUpload(World w, String key, String fields) {
        return w.http().postJson("/v1/uploads", key, "{" + fields + "}");
    }

    private static Http.Response patch(World w, String key, String id, String offset, byte[] body) {
        HttpRequest.Builder b = w.http().request("/v1/uploads/" + id, key).header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        if (offset != null) {
            b.header("Upload-Offset", offset);
        }
        return w.http().send(b.build());
    }

    private static Http.Multipart files(Http.Multipart body, Map<String, byte[]> files) {
        files.forEach(body::file);
        return body;
    }

    private static byte[] manyEntries() {
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            many.put("f" + i + ".json", JSON);
        }
        return Archives.zip(many);
    }

    private static byte[] fifoTar() {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            var config = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("config.json");
            config.setSize(JSON.length);
            tar.putArchiveEntry(config);
            tar.write(JSON);
            tar.closeArchiveEntry();
            var fifo = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("model.safetensors",
                    org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_FIFO);
            tar.putArchiveEntry(fifo);
            tar.closeArchiveEntry();
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
