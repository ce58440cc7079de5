package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Archives;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class DatasetUploadIT extends ApiTestBase {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};

    private Http.Response upload(String key, String filename, byte[] content, String... fields) {
        Http.Multipart body = new Http.Multipart();
        for (int i = 0; i < fields.length; i += 2) {
            body.field(fields[i], fields[i + 1]);
        }
        return http.post("/v1/datasets", key, body.file(filename, content));
    }

    private JsonNode awaitValidated(String key, String id) {
        return Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/datasets/" + id, key).json(),
                d -> !d.get("status").asString().equals("validating"));
    }

    @Test
    void jsonlUploadIsHashedAndValidatedReady() {
        TenantKey t = newTenant();
        byte[] data = """
                {"text":"win a prize","label":"spam"}
                {"text":"lunch at noon?","label":"ham"}
                {"text":"cheap meds","label":"spam"}
                """.getBytes(StandardCharsets.UTF_8);
        Http.Response r = upload(t.key(), "mail.jsonl", data, "name", "mail");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("sha256").asString()).isEqualTo(Fixtures.sha256(data));
        assertThat(r.json().get("size").asLong()).isEqualTo(data.length);
        assertThat(r.json().get("format").asString()).isEqualTo("jsonl");
        assertThat(r.json().get("status").asString()).isEqualTo("validating");
        assertThat(r.header("Location")).isEqualTo("/v1/datasets/" + r.json().get("id").asString());

        JsonNode done = awaitValidated(t.key(), r.json().get("id").asString());
        assertThat(done.get("status").asString()).isEqualTo("ready");
        assertThat(done.get("task").asString()).isEqualTo("text-classification");
        assertThat(done.get("text_field").asString()).isEqualTo("text");
        JsonNode report = done.get("report");
        assertThat(report.get("format").asString()).isEqualTo("jsonl");
        assertThat(report.get("rows").asLong()).isEqualTo(3);
        assertThat(report.get("valid_examples").asLong()).isEqualTo(3);
        assertThat(report.get("label_type").asString()).isEqualTo("string");
        assertThat(report.get("label_distribution").get("spam").asLong()).isEqualTo(2);
        assertThat(report.get("label_distribution").get("ham").asLong()).isEqualTo(1);
        assertThat(report.get("previews").get(0).get("text").asString()).isEqualTo("win a prize");
        assertThat(report.get("issues").isEmpty()).isTrue();
    }

    @Test
    void promptCompletionAndTextOnlyUploadsAreCausalLm() {
        TenantKey t = newTenant();
        byte[] pc = "{\"prompt\":\"2+2=\",\"completion\":\"4\"}\n{\"prompt\":\"3+3=\",\"completion\":\"6\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        JsonNode done = awaitValidated(t.key(), upload(t.key(), "pc.jsonl", pc).json().get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        assertThat(done.get("task").asString()).isEqualTo("causal-lm");
        assertThat(done.get("report").get("label_distribution").isEmpty()).isTrue();
        assertThat(done.get("report").get("previews").get(0).get("completion").asString()).isEqualTo("4");

        byte[] text = "{\"body\":\"once upon a time\"}\n".getBytes(StandardCharsets.UTF_8);
        done = awaitValidated(t.key(), upload(t.key(), "story.jsonl", text, "text_field", "body").json().get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        assertThat(done.get("task").asString()).isEqualTo("causal-lm");
        assertThat(done.get("text_field").asString()).isEqualTo("body");

        // Told it is a classification dataset, the same file is refused by line, with the reason.
        done = awaitValidated(t.key(), upload(t.key(), "pc.jsonl", pc, "task", "text-classification").json().get("id").asString());
        assertThat(done.get("status").asString()).isEqualTo("invalid");
        JsonNode issue = done.get("report").get("issues").get(0);
        assertThat(issue.get("line").asLong()).isEqualTo(1);
        assertThat(issue.get("code").asString()).isEqualTo("missing_field");
        assertThat(issue.get("message").asString()).contains("causal-lm");
    }

    @Test
    void aBadTaskOrFieldNameIsRefusedAtUpload() {
        TenantKey t = newTenant();
        byte[] data = "{\"text\":\"a\",\"label\":\"b\"}\n".getBytes(StandardCharsets.UTF_8);
        assertProblem(upload(t.key(), "a.jsonl", data, "task", "translation"), 400, "invalid_task");
        assertProblem(upload(t.key(), "a.jsonl", data, "task", "image-classification"), 400, "invalid_task");
        assertProblem(upload(t.key(), "a.jsonl", data, "text_field", "x", "label_field", "x"), 400, "invalid_field_names");
        assertThat(http.get("/v1/datasets", t.key()).json().get("items").isEmpty()).isTrue();
    }

    @Test
    void badJsonlBecomesInvalidWithLineNumbers() {
        TenantKey t = newTenant();
        byte[] data = ("{\"text\":\"ok\",\"label\":\"a\"}\n{oops\n{\"text\":\"\",\"label\":\"a\"}\n{\"text\":\"x\",\"label\":2.5}\n"
                + "{\"text\":\"x\",\"text\":\"y\",\"label\":\"a\"}\n").getBytes(StandardCharsets.UTF_8);
        JsonNode done = awaitValidated(t.key(), upload(t.key(), "bad.jsonl", data).json().get("id").asString());
        assertThat(done.get("status").asString()).isEqualTo("invalid");
        JsonNode issues = done.get("report").get("issues");
        assertThat(issues.size()).isEqualTo(4);
        assertThat(issues.get(0).get("line").asLong()).isEqualTo(2);
        assertThat(issues.get(0).get("code").asString()).isEqualTo("invalid_json");
        assertThat(issues.get(1).get("line").asLong()).isEqualTo(3);
        assertThat(issues.get(1).get("code").asString()).isEqualTo("empty_text");
        assertThat(issues.get(1).get("field").asString()).isEqualTo("text");
        assertThat(issues.get(2).get("line").asLong()).isEqualTo(4);
        assertThat(issues.get(2).get("code").asString()).isEqualTo("wrong_type");
        assertThat(issues.get(3).get("line").asLong()).isEqualTo(5);
        assertThat(issues.get(3).get("code").asString()).isEqualTo("duplicate_key");
        assertThat(done.get("report").get("invalid_rows").asLong()).isEqualTo(4);
        assertThat(done.get("report").get("issue_count").asLong()).isEqualTo(4);
    }

    @Test
    void csvWithCustomFieldNames() {
        TenantKey t = newTenant();
        byte[] data = "sentence,topic\n\"a, b\",x\nc,y\n".getBytes(StandardCharsets.UTF_8);
        Http.Response r = upload(t.key(), "t.csv", data, "text_field", "sentence", "label_field", "topic");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("text_field").asString()).isEqualTo("sentence");
        assertThat(r.json().get("label_field").asString()).isEqualTo("topic");
        JsonNode done = awaitValidated(t.key(), r.json().get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        assertThat(done.get("report").get("columns").toString()).contains("sentence", "topic");
        assertThat(done.get("report").get("previews").get(0).get("sentence").asString()).isEqualTo("a, b");

        // Without the names, the engine's reader says which column it looked for.
        JsonNode plain = awaitValidated(t.key(), upload(t.key(), "t.csv", data).json().get("id").asString());
        assertThat(plain.get("status").asString()).isEqualTo("invalid");
        assertThat(plain.get("report").get("issues").get(0).get("code").asString()).isEqualTo("missing_column");
        assertThat(plain.get("report").get("issues").get(0).get("line").asLong()).isEqualTo(1);
    }

    @Test
    void zipOfImageFolders() {
        TenantKey t = newTenant();
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("pets/cat/1.png", Fixtures.png(8, 8, 0xff0000));
        images.put("pets/cat/2.png", Fixtures.png(8, 8, 0x00ff00));
        images.put("pets/dog/1.png", Fixtures.png(8, 8, 0x0000ff));
        Http.Response r = upload(t.key(), "pets.zip", Archives.zip(images));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("format").asString()).isEqualTo("imagefolder");
        JsonNode done = awaitValidated(t.key(), r.json().get("id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        assertThat(done.get("task").asString()).isEqualTo("image-classification");
        assertThat(done.get("report").get("label_distribution").get("cat").asLong()).isEqualTo(2);

        // PNG magic bytes are not an image: the reader decodes every file, as training will.
        images.put("pets/dog/2.png", PNG);
        JsonNode bad = awaitValidated(t.key(), upload(t.key(), "pets.zip", Archives.zip(images)).json().get("id").asString());
        assertThat(bad.get("status").asString()).isEqualTo("invalid");
        JsonNode issue = bad.get("report").get("issues").get(0);
        assertThat(issue.get("code").asString()).isEqualTo("bad_image");
        assertThat(issue.get("field").asString()).isEqualTo("pets/dog/2.png");
    }

    @Test
    void refusesHostileArchivesPickleUnknownFormatsAndOversizeBodies() {
        TenantKey t = newTenant();
        assertProblem(upload(t.key(), "x.zip", Archives.zip(Map.of("../cat/1.png", PNG))), 400, "unsafe_path");
        assertProblem(upload(t.key(), "x.zip", Archives.zip(Map.of("cat/1.png", PNG), Map.of("cat/2.png", "/etc/passwd"))),
                400, "archive_link_not_allowed");
        assertProblem(upload(t.key(), "x.zip", Archives.zip(Map.of("cat/1.png", new byte[16 * 1024 * 1024]))),
                422, "archive_bomb");
        assertProblem(upload(t.key(), "data.pkl", new byte[]{(byte) 0x80}), 422, "pickle_not_allowed");
        assertProblem(upload(t.key(), "data.parquet", new byte[]{1}), 415, "unsupported_format");
        assertProblem(upload(t.key(), "x.jsonl", new byte[]{1}, "format", "xml"), 415, "unsupported_format");
        assertProblem(upload(t.key(), "/abs/x.jsonl", new byte[]{1}), 400, "unsafe_path");
        assertProblem(upload(t.key(), "big.jsonl", new byte[9 * 1024 * 1024]), 413, "payload_too_large");
        assertProblem(http.post("/v1/datasets", t.key(), new Http.Multipart().file("a.jsonl", new byte[]{1})
                .file("b.jsonl", new byte[]{1})), 400, "too_many_files");
        assertProblem(http.post("/v1/datasets", t.key(), new Http.Multipart().field("name", "x")), 400, "no_files");
        assertThat(http.get("/v1/datasets", t.key()).json().get("items").isEmpty()).isTrue();
    }

    @Test
    void listsWithPaginationAndFiltersAndHidesOtherTenants() {
        TenantKey a = newTenant();
        TenantKey b = newTenant();
        for (int i = 0; i < 3; i++) {
            upload(a.key(), "d" + i + ".jsonl", ("{\"text\":\"t\",\"label\":\"" + i + "\"}\n").getBytes());
        }
        upload(a.key(), "c.csv", "text,label\nx,y\n".getBytes());
        JsonNode first = http.get("/v1/datasets?limit=3", a.key()).json();
        assertThat(first.get("items").size()).isEqualTo(3);
        JsonNode second = http.get("/v1/datasets?limit=3&cursor=" + first.get("next_cursor").asString(), a.key()).json();
        assertThat(second.get("items").size()).isEqualTo(1);
        assertThat(second.get("next_cursor").isNull()).isTrue();
        assertThat(http.get("/v1/datasets?format=csv", a.key()).json().get("items").size()).isEqualTo(1);
        assertThat(http.get("/v1/datasets?name=d1", a.key()).json().get("items").size()).isEqualTo(1);
        Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/datasets?status=ready", a.key()).json().get("items").size(),
                n -> n == 4);

        String id = first.get("items").get(0).get("id").asString();
        assertThat(http.get("/v1/datasets", b.key()).json().get("items").isEmpty()).isTrue();
        assertProblem(http.get("/v1/datasets/" + id, b.key()), 404, "not_found");
        assertProblem(http.delete("/v1/datasets/" + id, b.key()), 404, "not_found");
        assertProblem(http.get("/v1/datasets/" + UUID.randomUUID(), a.key()), 404, "not_found");
    }

    @Test
    void deleteIsRefusedWhileAJobUsesTheDatasetAndReleasesTheBlob() {
        TenantKey t = newTenant();
        byte[] data = ("{\"text\":\"" + UUID.randomUUID() + "\",\"label\":\"a\"}\n").getBytes();
        String sha = Fixtures.sha256(data);
        String id = upload(t.key(), "d.jsonl", data).json().get("id").asString();
        UUID job = UUID.randomUUID();
        jdbc.sql("INSERT INTO jobs (id, tenant_id, dataset_id, status, queued_at) VALUES (:id, :t, :d, 'queued', now())")
                .param("id", job).param("t", t.tenantId()).param("d", UUID.fromString(id)).update();
        assertProblem(http.delete("/v1/datasets/" + id, t.key()), 409, "dataset_in_use");
        jdbc.sql("UPDATE jobs SET status = 'cancelled', finished_at = now() WHERE id = :id").param("id", job).update();
        assertThat(http.delete("/v1/datasets/" + id, t.key()).status()).isEqualTo(204);
        assertProblem(http.get("/v1/datasets/" + id, t.key()), 404, "not_found");
        assertThat(jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = :s").param("s", sha).query(Long.class).single()).isZero();
        assertThat(DATA_DIR.resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha)).doesNotExist();
    }
}
