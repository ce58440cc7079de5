package dev.slicefine.api.common;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Single-machine default: when no {@code spring.datasource.url} is configured, run a real PostgreSQL from the
 * embedded binaries with its data in {@code <data-dir>/postgres}, so it survives restarts.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedDatabaseConfig {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfig.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(SliceFineProperties properties) throws IOException {
        Path dir = properties.postgresDir().toAbsolutePath();
        Files.createDirectories(dir);
        clearStalePostmaster(dir);
        log.info("Starting embedded PostgreSQL with data in {}", dir);
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        // Standalone workers (./slicefine worker --db-url ...) connect here; the port changes at every start.
        String url = ds.getJdbcUrl();
        log.info("Embedded PostgreSQL ready at {} (user postgres)", url.contains("?") ? url.substring(0, url.indexOf('?')) : url);
        ds.setUsername("postgres");
        ds.setPoolName("slicefine-embedded");
        ds.setMaximumPoolSize(16);
        return ds;
    }

    /**
     * After a crash, postmaster.pid is left behind. If its process is gone the file is stale and is removed; if an
     * orphaned postgres from our crashed run still serves this directory, it is asked to stop (SIGTERM) first.
     */
    static void clearStalePostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        // The embedded server holds a lock on epg-lock while it runs; if we cannot take it, a live
        // SliceFine owns this directory and its postgres must not be touched.
        try (var channel = java.nio.channels.FileChannel.open(dataDir.resolve("epg-lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException(dataDir + " is in use by another running SliceFine");
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException(dataDir + " is in use by this JVM already", e);
        }
        Optional<Long> pid = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst()
                .map(String::trim).filter(s -> s.matches("\\d+")).map(Long::parseLong);
        Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (process.isPresent()) {
            log.warn("An orphaned PostgreSQL (pid {}) still runs on {}; stopping it", pid.get(), dataDir);
            process.get().destroy();
            try {
                process.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("Orphaned PostgreSQL pid " + pid.get() + " did not stop", e);
            }
        }
        if (Files.deleteIfExists(pidFile)) {
            log.warn("Removed stale {}", pidFile);
        }
    }
}
