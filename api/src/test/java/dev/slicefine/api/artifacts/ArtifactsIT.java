package dev.slicefine.api.artifacts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.engine.artifact.CheckpointHash;
import dev.slicefine.engine.artifact.Merger;
import dev.slicefine.engine.artifact.PeftExporter;
import dev.slicefine.engine.artifact.SliceDiff;
import dev.slicefine.storage.Archives;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Downloads of a succeeded job's artifacts, with the diff a worker would have stored made here from bert-tiny:
 * diff as zip/tar, merged and PEFT made on demand, Range/ETag/304/416, concurrency and refusals.
 */
class ArtifactsIT extends ApiTestBase {
    private static final String QUERY = "bert.encoder.layer.0.attention.self.query.weight";

    @Autowired
    BlobStore store;
    @Autowired
    BlobRefs refs;
    @Autowired
    TransactionTemplate tx;

    @TempDir
    Path tmp;

    private static TenantKey tenant;
    private static String model;
    private static String dataset;

    @BeforeEach
    void fixtures() {
        if (tenant == null) {
            tenant = newTenant();
            model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
            dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        }
    }

    private Path baseDir() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("base"));
        for (var e : Fixtures.bertTiny().entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    /** A diff changing two columns of one query weight, and optionally a bias trained whole. */
    private Path diffDir(boolean wholeBias) throws IOException {
        Path base = baseDir();
        Path dir = tmp.resolve("diff-" + UUID.randomUUID());
        float[] delta = new float[32 * 2];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = 0.01f * (i + 1);
        }
        Map<String, SliceDiff.TensorDiff> tensors = new LinkedHashMap<>();
        tensors.put(QUERY, new SliceDiff.TensorDiff(QUERY, 32, 32, new int[] {3, 17}, delta, new int[0], new float[0]));
        Map<String, SliceDiff.Replacement> replaced = new LinkedHashMap<>();
        ObjectNode manifest = new ObjectMapper().createObjectNode();
        manifest.put("format", SliceDiff.FORMAT).put("version", 1);
        manifest.putObject("base").put("sha256", CheckpointHash.of(base)).put("family", "bert");
        manifest.putObject("tensors").putObject(QUERY).put("shape", "32x32").put("columns", 2).put("rows", 0);
        var rep = manifest.putArray("replaced");
        if (wholeBias) {
            String bias = "bert.encoder.layer.0.attention.self.query.bias";
            float[] values = new float[32];
            java.util.Arrays.fill(values, 0.5f);
            replaced.put(bias, new SliceDiff.Replacement(bias, new long[] {32}, values));
            rep.add(bias);
        }
        new SliceDiff(tensors, replaced, manifest).write(dir);
        return dir;
    }

    /** A succeeded job whose diff artifact is the zip of {@code diff}, as the worker stores it. */
    private String succeededJob(Path diff) throws IOException {
        return succeededJob(diff, "");
    }

    private String succeededJob(Path diff, String extra) throws IOException {
        Http.Response r = http.postJson("/v1/jobs", tenant.key(),
                "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\",\"train\":{\"max_steps\":2}" + extra + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String job = r.json().get("id").asString();
        JobFixtures.markRunning(jdbc, job);
        Path zip = tmp.resolve(UUID.randomUUID() + ".zip");
        Archives.zip(diff, zip);
        BlobCandidate blob = store.importFile(zip);
        tx.executeWithoutResult(s -> {
            refs.acquire(blob);
            jdbc.sql("""
                    INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename)
                    VALUES (:id, :t, :j, 'diff', :sha, :size, 'diff.zip')""")
                    .param("id", UUID.randomUUID()).param("t", tenant.tenantId()).param("j", UUID.fromString(job))
                    .param("sha", blob.sha256()).param("size", blob.size()).update();
        });
        JobFixtures.finish(jdbc, job, "succeeded");
        return job;
    }

    private HttpResponse<byte[]> download(String path, String... headers) {
        var b = http.request(path, tenant.key()).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    @Test
    void diffDownloadsAsZipOrTarWithEtagRangesAnd304() throws Exception {
        Path diff = diffDir(false);
        String job = succeededJob(diff);
        String url = "/v1/jobs/" + job + "/artifacts/diff";

        HttpResponse<byte[]> full = download(url);
        assertThat(full.statusCode()).isEqualTo(200);
        byte[] body = full.body();
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + Fixtures.sha256(body) + "\"");
        assertThat(full.headers().firstValue("Content-Length").orElseThrow()).isEqualTo(Integer.toString(body.length));
        assertThat(full.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment").contains(".zip");
        assertThat(full.headers().firstValue("Accept-Ranges").orElseThrow()).isEqualTo("bytes");
        Map<String, byte[]> entries = unzip(body);
        assertThat(entries.keySet()).containsExactly("diff.safetensors", "manifest.json");
        assertThat(entries.get("diff.safetensors")).isEqualTo(Files.readAllBytes(diff.resolve("diff.safetensors")));

        assertThat(download(url, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(download(url, "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> part = download(url, "Range", "bytes=10-19");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range").orElseThrow()).isEqualTo("bytes 10-19/" + body.length);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(body, 10, 20));
        HttpResponse<byte[]> tail = download(url, "Range", "bytes=-7");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(body, body.length - 7, body.length));
        HttpResponse<byte[]> open = download(url, "Range", "bytes=" + (body.length - 3) + "-");
        assertThat(open.body()).hasSize(3);
        HttpResponse<byte[]> beyond = download(url, "Range", "bytes=" + body.length + "-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range").orElseThrow()).isEqualTo("bytes */" + body.length);
        assertThat(new String(beyond.body())).contains("range_not_satisfiable");
        assertThat(download(url, "Range", "bytes=9-3").statusCode()).isEqualTo(416);
        assertThat(download(url, "Range", "lines=1-2").statusCode()).isEqualTo(416);
        assertThat(download(url, "Range", "bytes=0-1", "If-Range", "\"stale\"").statusCode()).as("If-Range mismatch: whole file")
                .isEqualTo(200);
        assertThat(download(url, "Range", "bytes=0-1", "If-Range", etag).statusCode()).isEqualTo(206);

        HttpResponse<byte[]> tar = download(url + "?format=tar");
        assertThat(tar.statusCode()).isEqualTo(200);
        assertThat(tar.headers().firstValue("Content-Disposition").orElseThrow()).contains(".tar");
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.body()))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertThat(names).containsExactly("diff.safetensors", "manifest.json");
        assertThat(download(url + "?format=tar").headers().firstValue("ETag")).as("cached: stable ETag")
                .isEqualTo(tar.headers().firstValue("ETag"));
        assertProblem(http.get(url + "?format=rar", tenant.key()), 400, "invalid_parameter");
    }

    @Test
    void mergedCheckpointEqualsTheEnginesMergeAndIsMadeOnceUnderConcurrentRequests() throws Exception {
        Path diff = diffDir(false);
        String job = succeededJob(diff);
        String url = "/v1/jobs/" + job + "/artifacts/merged";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(pool.submit(() -> download(url)));
        }
        List<String> etags = new ArrayList<>();
        byte[] zip = null;
        for (var f : answers) {
            HttpResponse<byte[]> r = f.get();
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            etags.add(r.headers().firstValue("ETag").orElseThrow());
            zip = r.body();
        }
        pool.shutdown();
        assertThat(etags).containsOnly(etags.get(0));
        assertThat(jdbc.sql("SELECT count(*) FROM artifacts WHERE job_id = :j AND kind = 'merged'")
                .param("j", UUID.fromString(job)).query(Long.class).single()).isEqualTo(1);

        Path expected = tmp.resolve("expected");
        Merger.merge(baseDir(), diff, expected);
        Map<String, byte[]> merged = unzip(zip);
        assertThat(merged).containsKeys("model.safetensors", "config.json", "tokenizer.json");
        assertThat(merged.get("model.safetensors")).isEqualTo(Files.readAllBytes(expected.resolve("model.safetensors")));

        var list = http.get("/v1/jobs/" + job + "/artifacts", tenant.key()).json();
        List<String> kinds = new ArrayList<>();
        list.forEach(a -> kinds.add(a.get("kind").asString()));
        assertThat(kinds).containsExactlyInAnyOrder("diff", "merged");
        list.forEach(a -> assertThat(a.get("url").asString()).startsWith("/v1/jobs/" + job + "/artifacts/"));
        assertThat(download(url, "Range", "bytes=0-3").body()).isEqualTo(new byte[] {'P', 'K', 3, 4});
    }

    @Test
    void peftAdapterIsExportedOrRefusedWhenNotExact() throws Exception {
        String job = succeededJob(diffDir(false));
        HttpResponse<byte[]> peft = download("/v1/jobs/" + job + "/artifacts/peft");
        assertThat(peft.statusCode()).as(new String(peft.body())).isEqualTo(200);
        Map<String, byte[]> files = unzip(peft.body());
        assertThat(files).containsKeys("adapter_config.json", "adapter_model.safetensors");
        assertThat(new String(files.get("adapter_config.json"))).contains("\"peft_type\": \"LORA\"");

        String withBias = succeededJob(diffDir(true));
        assertProblem(http.get("/v1/jobs/" + withBias + "/artifacts/peft", tenant.key()), 409, "peft_not_exact");
        assertThat(download("/v1/jobs/" + withBias + "/artifacts/merged").statusCode()).isEqualTo(200);
    }

    @Test
    void aLoraRunsArtifactIsItsPeftAdapterAndMergesAndAFullRunsIsItsMergedCheckpoint() throws Exception {
        Path adapter = tmp.resolve("adapter");
        PeftExporter.export(baseDir(), diffDir(false), adapter); // a real LoRA adapter of bert-tiny, with its base's sha256
        String lora = succeededJob(adapter, ",\"method\":\"lora\"");
        HttpResponse<byte[]> peft = download("/v1/jobs/" + lora + "/artifacts/peft");
        assertThat(peft.statusCode()).isEqualTo(200);
        assertThat(peft.body()).isEqualTo(download("/v1/jobs/" + lora + "/artifacts/diff").body());
        HttpResponse<byte[]> mergedLora = download("/v1/jobs/" + lora + "/artifacts/merged");
        assertThat(mergedLora.statusCode()).as(new String(mergedLora.body())).isEqualTo(200);
        Path expected = tmp.resolve("expected-lora");
        Merger.merge(baseDir(), adapter, expected); // W + (alpha / r) B A, head replaced
        Map<String, byte[]> files = unzip(mergedLora.body());
        assertThat(files.get("model.safetensors")).isEqualTo(Files.readAllBytes(expected.resolve("model.safetensors")));
        assertThat(new String(files.get("config.json"))).contains("\"BertForSequenceClassification\"");

        Path broken = Files.createDirectories(tmp.resolve("broken-adapter"));
        Files.writeString(broken.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":2,\"lora_alpha\":2}");
        Files.write(broken.resolve("adapter_model.safetensors"), new byte[] {1, 2, 3});
        String brokenJob = succeededJob(broken, ",\"method\":\"lora\"");
        assertProblem(http.get("/v1/jobs/" + brokenJob + "/artifacts/merged", tenant.key()), 409, "merge_failed");

        String full = succeededJob(baseDir(), ",\"method\":\"full\"");
        HttpResponse<byte[]> merged = download("/v1/jobs/" + full + "/artifacts/merged");
        assertThat(merged.statusCode()).isEqualTo(200);
        assertThat(unzip(merged.body())).containsKeys("model.safetensors", "config.json");
        assertProblem(http.get("/v1/jobs/" + full + "/artifacts/peft", tenant.key()), 409, "peft_not_exact");
    }
}
