package dev.slicefine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The standalone worker serves Actuator health on its port: live while the JVM runs, ready only while its database
 * answers (a PostgreSQL of its own here, stopped mid-test). It registers itself in the workers table with its device.
 */
class WorkerHealthIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessAndReadinessOnTheWorkerPortWithReadinessDownWhileTheDatabaseIsUnreachable() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        boolean postgresRunning = true;
        try (ConfigurableApplicationContext worker = WorkerApplication.application().run(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--spring.datasource.hikari.connection-timeout=2000",
                "--spring.jmx.enabled=false",
                "--server.port=0",
                "--slicefine.data-dir=" + tmp,
                "--slicefine.worker.device=cpu",
                "--slicefine.worker.poll=200ms",
                "--slicefine.worker.heartbeat=500ms")) {
            int port = Integer.parseInt(worker.getEnvironment().getProperty("local.server.port"));
            assertThat(port).isPositive();
            HttpResponse<String> live = get(port, "/actuator/health/liveness");
            assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
            assertThat(live.body()).contains("\"status\":\"UP\"");
            HttpResponse<String> ready = get(port, "/actuator/health/readiness");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            // health only: nothing else of Actuator, no details
            assertThat(get(port, "/actuator/env").statusCode()).isEqualTo(404);
            assertThat(get(port, "/actuator/health").body()).doesNotContain("postgres", "PostgreSQL");

            var row = worker.getBean(JdbcClient.class).sql("SELECT device, state FROM workers").query().singleRow();
            assertThat(row).containsEntry("device", "cpu").containsEntry("state", "running");

            postgres.close();
            postgresRunning = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int status;
            do {
                Thread.sleep(250);
                status = get(port, "/actuator/health/readiness").statusCode();
            } while (status != 503 && System.nanoTime() < deadline);
            assertThat(status).as("readiness with the database gone").isEqualTo(503);
            assertThat(get(port, "/actuator/health/liveness").statusCode()).as("still alive").isEqualTo(200);
        } finally {
            if (postgresRunning) {
                postgres.close();
            }
        }
    }
}
