package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-machine default: no spring.datasource.url, so a real PostgreSQL runs from the embedded binaries with
 * its data under {@code <data-dir>/postgres}. Its data survives a restart, and a stale postmaster.pid left by a
 * crash does not stop the next start.
 */
class EmbeddedDatabaseIT {

    @TempDir
    Path dataDir;

    @Test
    void embeddedPostgresKeepsDataAcrossRestartsAndSurvivesAStalePidFile() throws Exception {
        String tenantId;
        try (ServerProcess server = ServerProcess.start(dataDir, null)) {
            Http http = server.http();
            Http.Response created = http.postJson("/v1/tenants", ApiTestBase.ADMIN_KEY, "{\"name\":\"persisted\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            tenantId = created.json().get("id").asString();
            assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
            assertThat(http.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid")).as("stopped cleanly").doesNotExist();

        // A crash leaves postmaster.pid behind, naming a process that no longer exists.
        Files.writeString(dataDir.resolve("postgres/postmaster.pid"), "999999\n" + dataDir.resolve("postgres") + "\n");

        try (ServerProcess server = ServerProcess.start(dataDir, null)) {
            Http.Response tenant = server.http().get("/v1/tenants/" + tenantId, ApiTestBase.ADMIN_KEY);
            assertThat(tenant.status()).as(tenant.body()).isEqualTo(200);
            assertThat(tenant.json().get("name").asString()).isEqualTo("persisted");
        }
    }
}
