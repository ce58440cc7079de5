package dev.slicefine.api.support;

import dev.slicefine.worker.support.TestDatabase;
import dev.slicefine.api.SliceFineApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server on a random port against the one test PostgreSQL; every subclass shares this configuration and
 * so one Spring context. Tests isolate themselves by creating their own tenants.
 */
@SpringBootTest(classes = SliceFineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "slicefine.admin-key=" + ApiTestBase.ADMIN_KEY,
                "slicefine.upload.max-bytes=8MB",
                "slicefine.archive.max-entries=50",
                "slicefine.archive.max-total-uncompressed=32MB",
                "slicefine.archive.max-compression-ratio=100",
                "slicefine.archive.ratio-min-bytes=64KB",
                "logging.level.io.zonky=WARN",
                // The shared context must not train: job tests play the worker with SQL. End-to-end tests start
                // their own server with the embedded worker.
                "slicefine.worker.embedded=false",
                // A public-looking name that resolves to loopback (there is no DNS here): the SSRF rule must catch it.
                "slicefine.webhooks.hosts[hooks.example.test]=127.0.0.1"
        })
public abstract class ApiTestBase {
    public static final String ADMIN_KEY = "sk-test-admin-0123456789abcdefghij";
    public static final Path DATA_DIR = tempDir();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected Http http;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase db = TestDatabase.get();
        registry.add("spring.datasource.url", () -> db.url("api_it"));
        registry.add("spring.datasource.username", db::user);
        registry.add("spring.datasource.password", db::password);
        registry.add("slicefine.data-dir", DATA_DIR::toString);
    }

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("slicefine-it");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // best effort at JVM exit
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new tenant and a key for it. */
    protected TenantKey newTenant() {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        Http.Response tenant = http.postJson("/v1/tenants", ADMIN_KEY, "{\"name\":\"" + name + "\"}");
        assertThat(tenant.status()).as(tenant.body()).isEqualTo(201);
        String tenantId = tenant.json().get("id").asString();
        Http.Response key = http.postJson("/v1/keys", ADMIN_KEY,
                "{\"name\":\"k\",\"tenant_id\":\"" + tenantId + "\"}");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return new TenantKey(UUID.fromString(tenantId), key.json().get("key").asString());
    }

    public record TenantKey(UUID tenantId, String key) {}

    protected static void assertProblem(Http.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.body()).startsWith("application/problem+json");
        JsonNode body = response.json();
        assertThat(body.get("code").asString()).as(response.body()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("trace");
    }
}
