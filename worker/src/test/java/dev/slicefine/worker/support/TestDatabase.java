package dev.slicefine.worker.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * ONE real PostgreSQL per test JVM: {@code SLICEFINE_TEST_DB_URL} (+ _USER, _PASSWORD) when set, else a
 * Testcontainers PostgreSQL when a Docker engine answers, else the embedded binaries. Test groups get their own
 * schema, dropped and recreated the first time it is asked for in this JVM.
 */
public final class TestDatabase {
    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
    private static TestDatabase instance;

    private final String baseUrl;
    private final String user;
    private final String password;
    private final Set<String> freshSchemas = new HashSet<>();

    private TestDatabase(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static TestDatabase start() {
        String url = System.getenv("SLICEFINE_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            log.info("Test database: SLICEFINE_TEST_DB_URL ({})", url);
            return new TestDatabase(url, System.getenv().getOrDefault("SLICEFINE_TEST_DB_USER", "postgres"),
                    System.getenv().getOrDefault("SLICEFINE_TEST_DB_PASSWORD", ""));
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            log.info("Test database: Testcontainers PostgreSQL ({})", container.getJdbcUrl());
            return new TestDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }));
            String jdbc = postgres.getJdbcUrl("postgres", "postgres");
            log.info("Test database: embedded PostgreSQL binaries, no Docker engine answered ({})", jdbc);
            return new TestDatabase(jdbc, "postgres", "");
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL", e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** A JDBC URL whose default schema is {@code schema}, emptied on first use in this JVM. */
    public synchronized String url(String schema) {
        if (freshSchemas.add(schema)) {
            try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                s.execute("CREATE SCHEMA " + schema);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public String user() { return user; }
    public String password() { return password; }
}
