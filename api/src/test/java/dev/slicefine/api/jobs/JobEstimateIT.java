package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /v1/jobs/estimate (the body of POST /v1/jobs, the same checks, nothing created) and GET /v1/jobs/defaults.
 * That an estimate equals the real run's started event and diff is JobEndToEndIT's and the engine's
 * FineTuneEstimateTest's; here: the numbers for a known config, and every bad request.
 */
class JobEstimateIT extends ApiTestBase {
    private static TenantKey tenant;
    private static String model;
    private static String dataset;

    @BeforeEach
    void fixtures() {
        if (tenant == null) {
            tenant = newTenant();
            model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
            dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(60), Map.of());
        }
    }

    private String body(String extra) {
        return "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private Http.Response estimate(String json) {
        return http.postJson("/v1/jobs/estimate", tenant.key(), json);
    }

    @Test
    void estimatesTrainableParametersAndDiffSizeWithoutCreatingAJob() {
        Http.Response r = estimate(body("\"slicefine\":{\"rank\":2,\"targets\":[\"query\"]},\"train\":{\"max_steps\":4}"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode e = r.json();
        // two 32 x 32 query weights, a column slice of 2 each (32 x 2), and bert-tiny's own 3-label head (3 x 32 + 3)
        assertThat(e.get("trainable_params").asLong()).isEqualTo(2 * 64 + 99);
        long total = http.get("/v1/models/" + model, tenant.key()).json().get("report").get("parameter_count").asLong();
        assertThat(e.get("total_params").asLong()).isEqualTo(total);
        assertThat(e.get("trainable_fraction").asDouble()).isEqualTo((2 * 64 + 99) / (double) total);
        assertThat(e.get("method").asString()).isEqualTo("slicefine");
        assertThat(e.get("task").asString()).isEqualTo("text-classification");
        assertThat(e.get("total_steps").asInt()).isEqualTo(4);
        // 4 steps < move_steps 50: one slice per layer, 2 columns of 32 F32 values + an I32 index each; the head F32
        assertThat(e.get("diff_bytes").asLong()).isEqualTo(2 * 2 * (32 * 4 + 4) + 99 * 4);
        List<JsonNode> layers = new ArrayList<>();
        e.get("target_layers").forEach(layers::add);
        assertThat(layers).extracting(l -> l.get("layer").asString()).containsExactly(
                "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.1.attention.self.query.weight");
        assertThat(layers.get(0).toString()).contains("\"shape\":[32,32]", "\"mode\":\"column\"", "\"rank\":2", "\"trainable\":64");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t").param("t", tenant.tenantId())
                .query(Long.class).single()).isZero();
    }

    @Test
    void loraCountsBothFactorsOfEveryTarget() {
        JsonNode e = estimate(body("\"method\":\"lora\",\"lora\":{\"r\":4,\"targets\":[\"value\"]}")).json();
        assertThat(e.get("trainable_params").asLong()).as(e.toString()).isEqualTo(2 * 4 * (32 + 32) + 99);
        assertThat(e.get("target_layers").get(0).get("mode").asString()).isEqualTo("lora");
        // 60 rows, validation_split 0.1 stratified over 3 labels of 20: 18 train rows each, batch 16, 3 epochs
        assertThat(e.get("total_steps").asInt()).isEqualTo(3 * ((54 + 15) / 16));
    }

    @Test
    void badRequestsAreTheSameProblemsAsCreatingTheJob() {
        for (String extra : List.of("\"slicefine\":{\"rank\":64}", "\"train\":{\"batch_sise\":8}", "\"method\":\"qlora\"")) {
            Http.Response est = estimate(body(extra));
            Http.Response create = http.postJson("/v1/jobs", tenant.key(), body(extra));
            assertProblem(est, 422, "invalid_job");
            assertThat(est.json().get("errors")).as(extra).isEqualTo(create.json().get("errors"));
        }
        assertThat(estimate(body("\"slicefine\":{\"rank\":64}")).json().get("errors").get(0).get("code").asString())
                .isEqualTo("rank_too_large");
        assertProblem(estimate("{\"dataset_id\":\"" + dataset + "\"}"), 422, "invalid_job");
        assertProblem(estimate("{not json"), 400, "malformed_request");
        assertProblem(estimate("{\"model_id\":\"" + UUID.randomUUID() + "\",\"dataset_id\":\"" + dataset + "\"}"), 404, "not_found");
        TenantKey other = newTenant();
        assertProblem(http.postJson("/v1/jobs/estimate", other.key(), body("")), 404, "not_found");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id IN (:t, :o)").param("t", tenant.tenantId())
                .param("o", other.tenantId()).query(Long.class).single()).isZero();
    }

    @Test
    void defaultsAreTheEnginesPerMethodWithOneLineHelp() {
        JsonNode slice = http.get("/v1/jobs/defaults?model_id=" + model, tenant.key()).json();
        assertThat(slice.get("task").asString()).isEqualTo("text-classification");
        assertThat(slice.get("method").asString()).isEqualTo("slicefine");
        assertThat(slice.get("config").get("train").get("learning_rate").asDouble()).isEqualTo(5e-3);
        JsonNode lora = http.get("/v1/jobs/defaults?method=lora", tenant.key()).json();
        assertThat(lora.get("config").get("train").get("learning_rate").asDouble()).isEqualTo(5e-4);
        JsonNode rank = null;
        for (JsonNode k : slice.get("knobs")) {
            assertThat(k.get("help").asString()).as(k.toString()).isNotBlank();
            if (k.get("path").asString().equals("slicefine.rank")) {
                rank = k;
            }
        }
        assertThat(rank).isNotNull();
        assertThat(rank.get("kind").asString()).isEqualTo("int");
        assertThat(rank.get("default_value").asInt()).isEqualTo(4);
        assertThat(rank.get("methods").get(0).asString()).isEqualTo("slicefine");
        assertProblem(http.get("/v1/jobs/defaults?method=qlora", tenant.key()), 422, "invalid_job");
        assertProblem(http.get("/v1/jobs/defaults?model_id=" + UUID.randomUUID(), tenant.key()), 404, "not_found");
    }
}
