package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class AuthIT extends ApiTestBase {

    @Test
    void requestsWithoutKeyAreUnauthorized() {
        assertProblem(http.get("/v1/models", null), 401, "unauthorized");
        assertProblem(http.get("/v1/models", "sk-not-a-real-key-0000000000000"), 401, "unauthorized");
        assertProblem(http.send(http.request("/v1/models", null).header("Authorization", "Basic abc").GET().build()),
                401, "unauthorized");
    }

    @Test
    void adminCreatesTenantAndKeyWhichWorksAndIsShownOnce() {
        TenantKey t = newTenant();
        assertThat(http.get("/v1/models", t.key()).status()).isEqualTo(200);

        Http.Response list = http.get("/v1/keys", t.key());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(t.key());
        assertThat(list.json().get(0).get("prefix").asString()).isEqualTo(t.key().substring(0, 11));
        assertThat(list.json().get(0).has("key")).isFalse();
    }

    @Test
    void keysAreStoredHashed() {
        TenantKey t = newTenant();
        byte[] stored = jdbc.sql("SELECT key_hash FROM api_keys WHERE tenant_id = :t").param("t", t.tenantId())
                .query(byte[].class).single();
        assertThat(stored).hasSize(32);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(t.key().substring(3));
    }

    @Test
    void revokedKeyStopsWorking() {
        TenantKey t = newTenant();
        Http.Response second = http.postJson("/v1/keys", t.key(), "{\"name\":\"ci\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        String secondKey = second.json().get("key").asString();
        String secondId = second.json().get("id").asString();
        assertThat(second.json().get("tenant_id").asString()).isEqualTo(t.tenantId().toString());
        assertThat(http.get("/v1/models", secondKey).status()).isEqualTo(200);

        assertThat(http.delete("/v1/keys/" + secondId, t.key()).status()).isEqualTo(204);
        assertProblem(http.get("/v1/models", secondKey), 401, "unauthorized");
        assertProblem(http.delete("/v1/keys/" + secondId, t.key()), 409, "already_revoked");
        assertThat(http.get("/v1/models", t.key()).status()).isEqualTo(200);
    }

    @Test
    void nonAdminCannotManageTenantsOrMintAdminKeys() {
        TenantKey t = newTenant();
        assertProblem(http.postJson("/v1/tenants", t.key(), "{\"name\":\"evil\"}"), 403, "admin_required");
        assertProblem(http.get("/v1/tenants", t.key()), 403, "admin_required");
        assertProblem(http.postJson("/v1/keys", t.key(), "{\"name\":\"x\",\"admin\":true}"), 403, "admin_required");
    }

    @Test
    void anotherTenantsKeyAnswersNotFound() {
        TenantKey a = newTenant();
        TenantKey b = newTenant();
        String bKeyId = http.get("/v1/keys", b.key()).json().get(0).get("id").asString();
        assertProblem(http.delete("/v1/keys/" + bKeyId, a.key()), 404, "not_found");
        assertProblem(http.get("/v1/keys?tenant_id=" + b.tenantId(), a.key()), 404, "not_found");
        assertProblem(http.postJson("/v1/keys", a.key(), "{\"name\":\"x\",\"tenant_id\":\"" + b.tenantId() + "\"}"),
                404, "not_found");
        assertThat(http.get("/v1/models", b.key()).status()).isEqualTo(200);
    }

    @Test
    void adminListsTenantsAndKeysOfAnyTenant() {
        TenantKey t = newTenant();
        JsonNode tenants = http.get("/v1/tenants", ADMIN_KEY).json();
        assertThat(tenants.findValuesAsString("id")).contains(t.tenantId().toString());
        assertThat(http.get("/v1/tenants/" + t.tenantId(), ADMIN_KEY).status()).isEqualTo(200);
        assertThat(http.get("/v1/keys?tenant_id=" + t.tenantId(), ADMIN_KEY).json().size()).isEqualTo(1);
        assertProblem(http.get("/v1/tenants/" + java.util.UUID.randomUUID(), ADMIN_KEY), 404, "not_found");
    }

    @Test
    void duplicateTenantNameConflicts() {
        String name = "dup-" + System.nanoTime();
        assertThat(http.postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
        assertProblem(http.postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"" + name + "\"}"), 409, "tenant_exists");
        assertProblem(http.postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"\"}"), 400, "invalid_request");
    }
}
