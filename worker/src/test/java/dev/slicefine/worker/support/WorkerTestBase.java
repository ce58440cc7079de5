package dev.slicefine.worker.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.worker.WorkerPool;
import dev.slicefine.worker.WorkerProperties;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One Spring context (worker beans, no pool) on a real PostgreSQL schema and a temporary data dir for every worker
 * test in this JVM; tests start their own {@link WorkerPool}s and build tenants, models, datasets and jobs with SQL
 * and the real blob store, as the api would.
 */
public abstract class WorkerTestBase {
    public static final Path BERT = Path.of("src/test/resources/fixtures/bert-tiny").toAbsolutePath();
    public static final String SCHEMA = "worker_it";
    private static ConfigurableApplicationContext context;
    private static Path dataDir;

    protected final List<WorkerPool> pools = new ArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TestApp {}

    protected static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            try {
                dataDir = Files.createTempDirectory("slicefine-worker-it");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            TestDatabase db = TestDatabase.get();
            context = new SpringApplicationBuilder(TestApp.class).web(WebApplicationType.NONE).run(
                    "--spring.datasource.url=" + db.url(SCHEMA),
                    "--spring.datasource.username=" + db.user(),
                    "--spring.datasource.password=" + db.password(),
                    "--spring.datasource.hikari.maximum-pool-size=20",
                    "--spring.jmx.enabled=false",
                    "--slicefine.data-dir=" + dataDir,
                    "--slicefine.webhook-secret=test-secret",
                    // The test receivers listen on 127.0.0.1.
                    "--slicefine.webhooks.allow-private=true",
                    "--slicefine.worker.lease=3s",
                    "--slicefine.worker.heartbeat=500ms",
                    "--slicefine.worker.webhook-backoff=100ms");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> context.close()));
        }
        return context;
    }

    protected static Path dataDir() {
        context();
        return dataDir;
    }

    protected static String jdbcUrl() {
        return TestDatabase.get().url(SCHEMA);
    }

    protected static <T> T bean(Class<T> type) {
        return context().getBean(type);
    }

    protected static JdbcClient jdbc() {
        return bean(JdbcClient.class);
    }

    /** A started pool of {@code count} workers; stopped after the test. Lease 3 s, reaper every 500 ms. */
    protected WorkerPool startPool(int count) {
        WorkerPool pool = new WorkerPool(bean(JobQueue.class), bean(JobRunner.class), count, Duration.ofSeconds(3),
                Duration.ofMillis(100), Duration.ofMillis(500), bean(dev.slicefine.worker.WorkerRegistry.class),
                Duration.ofMillis(500));
        pool.start();
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void stopPools() {
        pools.forEach(WorkerPool::stop);
        pools.clear();
        // Jobs a test left queued must not be picked up by the next test's workers.
        jdbc().sql("UPDATE jobs SET status = 'cancelled', lease_owner = NULL WHERE status IN ('queued', 'running')").update();
    }

    /**
     * A standalone worker in a child JVM ({@link dev.slicefine.worker.WorkerApplication}, this test classpath), on the
     * same database and storage; output in target/{name}.log. Lease 3 s, heartbeat 500 ms.
     */
    protected static Process startWorkerJvm(String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        TestDatabase db = TestDatabase.get();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1", "-Dai.djl.pytorch.num_threads=1",
                "-XX:TieredStopAtLevel=1", "-Xss4m"));
        String cache = System.getProperty("DJL_CACHE_DIR");
        if (cache != null) {
            cmd.add("-DDJL_CACHE_DIR=" + cache);
        }
        cmd.addAll(List.of("dev.slicefine.worker.WorkerApplication",
                "--spring.datasource.url=" + jdbcUrl(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.datasource.hikari.maximum-pool-size=4",
                "--spring.flyway.enabled=false",
                "--slicefine.data-dir=" + dataDir(),
                "--slicefine.worker.work-dir=" + dataDir().resolve("work-" + name),
                "--slicefine.worker.lease=3s",
                "--slicefine.worker.heartbeat=500ms",
                "--slicefine.worker.poll=100ms",
                "--slicefine.worker.count=1",
                "--server.port=0"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(new java.io.File("target/" + name + ".log")).start();
    }

    // ---------------------------------------------------------------- data, as the api writes it

    protected static UUID tenant() {
        UUID id = UUID.randomUUID();
        jdbc().sql("INSERT INTO tenants (id, name) VALUES (:id, :name)").param("id", id).param("name", "t-" + id).update();
        return id;
    }

    /** The bert-tiny fixture (config.json, model.safetensors, tokenizer.json) as a ready model of {@code tenant}. */
    protected static UUID model(UUID tenant) {
        UUID id = UUID.randomUUID();
        List<String> names = List.of("config.json", "model.safetensors", "tokenizer.json");
        bean(TransactionTemplate.class).executeWithoutResult(s -> {
            jdbc().sql("""
                    INSERT INTO models (id, tenant_id, name, status, source_format, sha256, total_size)
                    VALUES (:id, :t, 'bert-tiny', 'ready', 'files', 'x', 0)""").param("id", id).param("t", tenant).update();
            for (String name : names) {
                BlobCandidate c = importFile(BERT.resolve(name));
                bean(BlobRefs.class).acquire(c);
                jdbc().sql("INSERT INTO model_files (model_id, path, blob_sha256, size) VALUES (:m, :p, :s, :z)")
                        .param("m", id).param("p", name).param("s", c.sha256()).param("z", c.size()).update();
            }
        });
        return id;
    }

    protected static UUID dataset(UUID tenant, String filename, String content) {
        UUID id = UUID.randomUUID();
        bean(TransactionTemplate.class).executeWithoutResult(s -> {
            BlobCandidate c;
            try {
                c = bean(BlobStore.class).write(new java.io.ByteArrayInputStream(content.getBytes()), Long.MAX_VALUE);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            bean(BlobRefs.class).acquire(c);
            jdbc().sql("""
                    INSERT INTO datasets (id, tenant_id, name, format, status, filename, blob_sha256, size)
                    VALUES (:id, :t, :n, :f, 'ready', :n, :s, :z)""").param("id", id).param("t", tenant).param("n", filename)
                    .param("f", filename.endsWith(".csv") ? "csv" : "jsonl").param("s", c.sha256()).param("z", c.size()).update();
        });
        return id;
    }

    /** n labelled lines, two well-separated classes. */
    protected static String sentiment(int n) {
        StringBuilder sb = new StringBuilder();
        String[] pos = {"good great fine", "great good nice", "nice fine good"};
        String[] neg = {"bad awful poor", "poor bad sad", "awful sad bad"};
        for (int i = 0; i < n; i++) {
            boolean p = i % 2 == 0;
            sb.append("{\"text\": \"").append((p ? pos : neg)[i % 3]).append(" ").append(i).append("\", \"label\": \"")
                    .append(p ? "pos" : "neg").append("\"}\n");
        }
        return sb.toString();
    }

    protected static UUID job(UUID tenant, UUID model, UUID dataset, String config) {
        UUID id = UUID.randomUUID();
        jdbc().sql("""
                INSERT INTO jobs (id, tenant_id, model_id, dataset_id, status, config, queued_at)
                VALUES (:id, :t, :m, :d, 'queued', CAST(:c AS jsonb), clock_timestamp())""")
                .param("id", id).param("t", tenant).param("m", model).param("d", dataset).param("c", config).update();
        return id;
    }

    protected static String config(int maxSteps, int checkpointEvery, String extra) {
        return config(maxSteps, checkpointEvery, 5, extra);
    }

    /** A small SliceFine job on bert-tiny; every step logged; a quarter of the data held out (evaluated every evalEvery). */
    protected static String config(int maxSteps, int checkpointEvery, int evalEvery, String extra) {
        return """
                {"task": "text-classification", "method": "slicefine", "validation_split": 0.25,
                 "slicefine": {"rank": 2, "move_steps": 4},
                 "train": {"max_steps": %d, "batch_size": 8, "max_seq_len": 16, "log_every": 1,
                           "checkpoint_every": %d, "eval_every": %d, "seed": 7}%s}"""
                .formatted(maxSteps, checkpointEvery, evalEvery, extra == null ? "" : ", " + extra);
    }

    protected static String status(UUID job) {
        return jdbc().sql("SELECT status FROM jobs WHERE id = :id").param("id", job).query(String.class).single();
    }

    protected static Map<String, Object> row(UUID job) {
        return jdbc().sql("SELECT * FROM jobs WHERE id = :id").param("id", job).query().singleRow();
    }

    protected static List<Map<String, Object>> events(UUID job) {
        return jdbc().sql("SELECT seq, type, from_status, to_status, code, message, data::text AS data FROM job_events WHERE job_id = :id ORDER BY seq")
                .param("id", job).query().listOfRows();
    }

    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    protected static void awaitStatus(UUID job, String expected, Duration timeout) {
        await("job " + job + " to be " + expected, timeout, () -> {
            String s = status(job);
            if (!s.equals(expected) && List.of("succeeded", "failed", "cancelled").contains(s)) {
                throw new AssertionError("job ended " + s + " instead of " + expected + ": " + row(job).get("error_message"));
            }
            return s.equals(expected);
        });
        assertThat(status(job)).isEqualTo(expected);
    }

    private static BlobCandidate importFile(Path p) {
        try {
            return bean(BlobStore.class).importFile(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
