package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error is a problem detail with a code and no stack trace; the operational endpoints answer. */
class ErrorsAndOpsIT extends ApiTestBase {

    @Test
    void unknownPathsAnswer404ProblemsWithOrWithoutKey() {
        TenantKey t = newTenant();
        assertProblem(http.get("/v1/nothing-here", t.key()), 404, "not_found");
        assertProblem(http.get("/nothing-here", null), 404, "not_found");
        assertProblem(http.get("/v1/nothing-here", null), 401, "unauthorized");
    }

    @Test
    void wrongMethodIs405() {
        TenantKey t = newTenant();
        assertProblem(http.send(http.request("/v1/tenants", t.key())
                .method("PUT", HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build()),
                405, "method_not_allowed");
        assertProblem(http.send(http.request("/v1/models/" + java.util.UUID.randomUUID(), t.key())
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build()), 405, "method_not_allowed");
    }

    @Test
    void wrongContentTypeIs415AndMalformedJsonIs400() {
        TenantKey t = newTenant();
        assertProblem(http.send(http.request("/v1/keys", t.key()).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("name=x")).build()), 415, "unsupported_media_type");
        assertProblem(http.postJson("/v1/keys", t.key(), "{\"name\": "), 400, "malformed_request");
        assertProblem(http.postJson("/v1/keys", t.key(), "[1,2]"), 400, "malformed_request");
        assertProblem(http.postJson("/v1/keys", t.key(), "{}"), 400, "invalid_request");
    }

    @Test
    void oversizeBodiesAre413() {
        TenantKey t = newTenant();
        Http.Response r = http.post("/v1/datasets", t.key(),
                new Http.Multipart().file("big.jsonl", new byte[9 * 1024 * 1024]));
        assertProblem(r, 413, "payload_too_large");
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        Http.Response docs = http.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body()).contains("/v1/models", "/v1/datasets", "/v1/uploads/{id}", "/v1/keys", "/v1/tenants");
        assertThat(docs.json().get("components").get("securitySchemes").has("apiKey")).isTrue();
        assertThat(docs.json().get("paths").has("/error")).isFalse();
        assertThat(docs.json().at("/paths/~1v1~1datasets/post/requestBody/content/multipart~1form-data/schema").toString())
                .contains("DatasetUploadForm");
        assertThat(docs.json().at("/components/schemas/DatasetUploadForm/properties/file/format").asString()).isEqualTo("binary");
        assertThat(http.get("/swagger-ui/index.html", null).status()).isEqualTo(200);
    }

    @Test
    void healthReadinessAndPrometheusAnswer() {
        Http.Response health = http.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        assertThat(http.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        Http.Response prometheus = http.get("/actuator/prometheus", null);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes").contains("http_server_requests");
    }
}
