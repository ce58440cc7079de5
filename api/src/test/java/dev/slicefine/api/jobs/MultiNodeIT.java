package dev.slicefine.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.storage.S3ProxyServer;
import dev.slicefine.worker.support.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Several machines without containers: the api and two standalone workers as three processes with three separate
 * data dirs, sharing only PostgreSQL and an S3 bucket (a real S3 server, s3proxy). A job trains; the worker running
 * it is killed with SIGKILL after its first checkpoint; the other worker takes the job over once the lease expires,
 * resumes from the checkpoint it reads from S3, and the merged checkpoint downloads from the api. Nothing here can
 * work through a shared disk.
 */
class MultiNodeIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;
    private static final Path ENGINE_FIXTURES = Path.of("../engine/src/test/resources/fixtures");
    private static final String BUCKET = "slicefine-multi-node";

    @TempDir
    Path dir;

    private List<String> storageArgs(S3ProxyServer s3) {
        return List.of("--slicefine.storage.type=s3", "--slicefine.storage.s3.endpoint=" + s3.endpoint(),
                "--slicefine.storage.s3.bucket=" + BUCKET, "--slicefine.storage.s3.path-style=true",
                "--slicefine.storage.s3.create-bucket=true", "--slicefine.storage.s3.region=us-east-1");
    }

    private Process startWorker(String name, String jdbcUrl, S3ProxyServer s3) throws IOException {
        Path jar = Path.of(System.getProperty("slicefine.worker.jar", "../worker/target/slicefine-worker-0.1.0-SNAPSHOT-exec.jar"));
        assertThat(jar).as("the standalone worker jar (mvn -pl worker package)").isRegularFile();
        TestDatabase db = TestDatabase.get();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1", "-Dai.djl.pytorch.num_threads=1",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"),
                "-Xmx768m", "-jar", jar.toString(),
                "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--slicefine.data-dir=" + Files.createDirectories(dir.resolve(name)),
                "--slicefine.worker.lease=4s", "--slicefine.worker.heartbeat=1s", "--slicefine.worker.poll=200ms",
                "--slicefine.worker.reaper-interval=1s", "--server.port=0"));
        cmd.addAll(storageArgs(s3));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
        return pb.start();
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    private void awaitStarted(String name, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!log(name).contains("Worker pool ")) {
            assertThat(p.isAlive()).as("%s exited: %s", name, log(name)).isTrue();
            assertThat(System.nanoTime()).as("%s did not start: %s", name, log(name)).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    void aKilledWorkersJobResumesOnAnotherNodeFromItsCheckpointInS3() throws Exception {
        String url = TestDatabase.get().url("multi_node_it");
        Process w1 = null;
        Process w2 = null;
        // The api in this JVM reads its S3 keys like the workers do: the SDK's default chain (system properties here).
        System.setProperty("aws.accessKeyId", S3ProxyServer.IDENTITY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.CREDENTIAL);
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")))) {
            List<String> apiArgs = new ArrayList<>(storageArgs(s3));
            apiArgs.add("--slicefine.worker.embedded=false");
            Path apiData = Files.createDirectories(dir.resolve("api"));
            try (ServerProcess api = ServerProcess.start(apiData, url, apiArgs.toArray(String[]::new))) {
                w1 = startWorker("worker-1", url, s3);
                w2 = startWorker("worker-2", url, s3);
                awaitStarted("worker-1", w1);
                awaitStarted("worker-2", w2);

                Http http = api.http();
                // both standalone workers registered, with the device they resolved
                JsonNode workers = http.get("/v1/workers", KEY).json();
                assertThat(workers.get("alive").asInt()).as(workers.toString()).isEqualTo(2);
                workers.get("items").forEach(w -> assertThat(w.get("device").asString()).isEqualTo("cpu"));
                Map<String, byte[]> files = new LinkedHashMap<>();
                files.put("config.json", Files.readAllBytes(ENGINE_FIXTURES.resolve("bert-tiny/config.json")));
                files.put("model.safetensors", Files.readAllBytes(ENGINE_FIXTURES.resolve("bert-tiny/model.safetensors")));
                files.put("tokenizer.json", Files.readAllBytes(ENGINE_FIXTURES.resolve("tokenizers/wordpiece.json")));
                String model = JobFixtures.uploadModel(http, KEY, files);
                String dataset = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
                Http.Response created = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + model + "\",\"dataset_id\":\""
                        + dataset + "\",\"task\":\"text-classification\",\"method\":\"slicefine\",\"slicefine\":{\"rank\":2,"
                        + "\"move_steps\":2},\"train\":{\"batch_size\":8,\"log_every\":1,\"checkpoint_every\":3,"
                        + "\"max_seq_len\":32,\"max_steps\":150}}");
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                UUID job = UUID.fromString(created.json().get("id").asString());
                JdbcClient jdbc = api.bean(JdbcClient.class);

                // Kill (SIGKILL: no checkpoint on the way out) whichever worker holds the job once it has a checkpoint.
                Map<String, Object> held = Fixtures.await(Duration.ofMinutes(3), () -> jdbc.sql(
                                "SELECT status, lease_owner, (checkpoint->>'step')::int AS step FROM jobs WHERE id = :id")
                        .param("id", job).query().singleRow(),
                        row -> row.get("step") != null || !"running".equals(row.get("status")) && !"queued".equals(row.get("status")));
                assertThat(held.get("status")).as("still running at its first checkpoint: %s", held).isEqualTo("running");
                int checkpointStep = (Integer) held.get("step");
                long ownerPid = Long.parseLong(((String) held.get("lease_owner")).split(":")[1]);
                Process victim = w1.pid() == ownerPid ? w1 : w2;
                Process survivor = victim == w1 ? w2 : w1;
                String survivorName = victim == w1 ? "worker-2" : "worker-1";
                assertThat(victim.pid()).as("the lease names one of our workers").isEqualTo(ownerPid);
                victim.destroyForcibly().waitFor();

                JsonNode done = Fixtures.await(Duration.ofMinutes(4), () -> http.get("/v1/jobs/" + job, KEY).json(),
                        j -> List.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
                assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
                assertThat(done.get("attempt").asInt()).isEqualTo(2);
                assertThat(survivor.isAlive()).isTrue();
                assertThat(log(survivorName)).contains("Job " + job + ": attempt 2 resumes from the checkpoint at step");
                // The second attempt trained on from the checkpoint, not from step 0.
                Integer firstResumed = jdbc.sql("SELECT min(step) FROM job_metrics WHERE job_id = :j AND attempt = 2"
                        + " AND split = 'train'").param("j", job).query(Integer.class).single();
                assertThat(firstResumed).isGreaterThan(checkpointStep).isLessThanOrEqualTo(checkpointStep + 3);

                HttpResponse<byte[]> merged = HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job
                        + "/artifacts/merged", KEY).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(merged.statusCode()).isEqualTo(200);
                Set<String> names = new TreeSet<>();
                try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(merged.body()))) {
                    for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                        names.add(e.getName());
                    }
                }
                assertThat(names).contains("config.json", "model.safetensors");

                // Every blob went through the bucket: the api keeps no blobs/ of its own.
                assertThat(apiData.resolve("blobs")).doesNotExist();
                Long objects = jdbc.sql("SELECT count(*) FROM blobs").query(Long.class).single();
                assertThat(objects).isPositive();
            }
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            for (Process p : new Process[] {w1, w2}) {
                if (p != null) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }
}
