package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Archives;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class ResumableUploadIT extends ApiTestBase {

    private Http.Response start(String key, String json) {
        return http.postJson("/v1/uploads", key, json);
    }

    private Http.Response patch(String key, String id, long offset, byte[] chunk) {
        return http.send(http.request("/v1/uploads/" + id, key)
                .header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk)).build());
    }

    private Http.Response head(String key, String id) {
        return http.send(http.request("/v1/uploads/" + id, key).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void datasetArrivesInChunksResumesFromTheServerOffsetAndCompletes() {
        TenantKey t = newTenant();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            lines.append("{\"text\":\"row ").append(i).append("\",\"label\":\"").append(i % 3).append("\"}\n");
        }
        byte[] data = lines.toString().getBytes(StandardCharsets.UTF_8);
        Http.Response created = start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"rows.jsonl\",\"size\":" + data.length + ",\"name\":\"rows\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.header("Location")).isEqualTo("/v1/uploads/" + id);
        assertThat(created.header("Upload-Offset")).isEqualTo("0");

        int chunk = 10_000;
        Http.Response first = patch(t.key(), id, 0, Arrays.copyOfRange(data, 0, chunk));
        assertThat(first.status()).as(first.body()).isEqualTo(204);
        assertThat(first.header("Upload-Offset")).isEqualTo(Integer.toString(chunk));

        // A client that lost track sends the wrong offset: told where the server is.
        Http.Response stale = patch(t.key(), id, 0, Arrays.copyOfRange(data, 0, chunk));
        assertProblem(stale, 409, "offset_mismatch");
        assertThat(stale.header("Upload-Offset")).isEqualTo(Integer.toString(chunk));

        assertProblem(http.postJson("/v1/uploads/" + id + "/complete", t.key(), ""), 409, "upload_incomplete");
        JsonNode progress = http.get("/v1/uploads/" + id, t.key()).json();
        assertThat(progress.get("offset").asLong()).isEqualTo(chunk);
        assertThat(progress.get("size").asLong()).isEqualTo(data.length);
        assertThat(progress.get("status").asString()).isEqualTo("open");
        assertThat(progress.get("result_url").isNull()).isTrue();

        long offset = Long.parseLong(head(t.key(), id).header("Upload-Offset"));
        while (offset < data.length) {
            int end = (int) Math.min(data.length, offset + chunk);
            Http.Response r = patch(t.key(), id, offset, Arrays.copyOfRange(data, (int) offset, end));
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            offset = Long.parseLong(r.header("Upload-Offset"));
        }
        JsonNode done = http.postJson("/v1/uploads/" + id + "/complete", t.key(), "").json();
        assertThat(done.get("status").asString()).isEqualTo("completed");
        String url = done.get("result_url").asString();
        assertThat(url).startsWith("/v1/datasets/");
        JsonNode dataset = http.get(url, t.key()).json();
        assertThat(dataset.get("sha256").asString()).isEqualTo(Fixtures.sha256(data));
        assertThat(dataset.get("name").asString()).isEqualTo("rows");
        JsonNode ready = Fixtures.await(Duration.ofSeconds(30), () -> http.get(url, t.key()).json(),
                d -> d.get("status").asString().equals("ready"));
        assertThat(ready.get("report").get("rows").asLong()).isEqualTo(2000);

        // Completing twice gives the same result; patching a completed upload is refused.
        assertThat(http.postJson("/v1/uploads/" + id + "/complete", t.key(), "").json().get("result_id").asString())
                .isEqualTo(done.get("result_id").asString());
        assertProblem(patch(t.key(), id, data.length, new byte[]{1}), 409, "upload_completed");
    }

    @Test
    void modelArchiveUploadedResumably() {
        TenantKey t = newTenant();
        Map<String, byte[]> folder = new LinkedHashMap<>(Fixtures.bertTiny());
        byte[] archive = Archives.tar(folder, true);
        String id = start(t.key(), "{\"purpose\":\"model\",\"filename\":\"bert.tar.gz\",\"size\":" + archive.length + ",\"name\":\"bert\"}")
                .json().get("id").asString();
        int half = archive.length / 2;
        assertThat(patch(t.key(), id, 0, Arrays.copyOfRange(archive, 0, half)).status()).isEqualTo(204);
        assertThat(patch(t.key(), id, half, Arrays.copyOfRange(archive, half, archive.length)).status()).isEqualTo(204);
        JsonNode done = http.postJson("/v1/uploads/" + id + "/complete", t.key(), "").json();
        JsonNode model = http.get(done.get("result_url").asString(), t.key()).json();
        assertThat(model.get("upload_sha256").asString()).isEqualTo(Fixtures.sha256(archive));
        assertThat(model.get("files").size()).isEqualTo(3);
        assertThat(DATA_DIR.resolve("uploads").resolve(id + ".part")).doesNotExist();
    }

    @Test
    void refusesBadStartsBadChunksAndOtherTenants() {
        TenantKey t = newTenant();
        assertProblem(start(t.key(), "{\"purpose\":\"model\",\"filename\":\"pytorch_model.bin\",\"size\":10}"), 422, "pickle_not_allowed");
        assertProblem(start(t.key(), "{\"purpose\":\"model\",\"filename\":\"model.safetensors\",\"size\":10}"), 415, "unsupported_format");
        assertProblem(start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"x.parquet\",\"size\":10}"), 415, "unsupported_format");
        assertProblem(start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"../x.jsonl\",\"size\":10}"), 400, "unsafe_path");
        assertProblem(start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"x.jsonl\",\"size\":99999999999}"), 413, "payload_too_large");
        assertProblem(start(t.key(), "{\"purpose\":\"nope\",\"filename\":\"x.jsonl\",\"size\":1}"), 400, "malformed_request");
        assertProblem(start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"x.jsonl\"}"), 400, "invalid_request");

        String id = start(t.key(), "{\"purpose\":\"dataset\",\"filename\":\"x.jsonl\",\"size\":4}").json().get("id").asString();
        assertProblem(patch(t.key(), id, 0, new byte[]{1, 2, 3, 4, 5, 6}), 400, "upload_length_exceeded");
        assertThat(head(t.key(), id).header("Upload-Offset")).isEqualTo("4");
        assertProblem(http.send(http.request("/v1/uploads/" + id, t.key()).header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build()), 400, "missing_offset");
        assertProblem(http.send(http.request("/v1/uploads/" + id, t.key()).header("Upload-Offset", "0")
                .header("Content-Type", "text/plain").method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build()),
                415, "unsupported_media_type");

        TenantKey other = newTenant();
        assertProblem(http.get("/v1/uploads/" + id, other.key()), 404, "not_found");
        assertProblem(patch(other.key(), id, 4, new byte[]{1}), 404, "not_found");
        assertProblem(http.postJson("/v1/uploads/" + id + "/complete", other.key(), ""), 404, "not_found");
        assertProblem(http.delete("/v1/uploads/" + id, other.key()), 404, "not_found");

        assertThat(http.delete("/v1/uploads/" + id, t.key()).status()).isEqualTo(204);
        assertProblem(http.get("/v1/uploads/" + id, t.key()), 404, "not_found");
        assertThat(DATA_DIR.resolve("uploads").resolve(id + ".part")).doesNotExist();
    }
}
