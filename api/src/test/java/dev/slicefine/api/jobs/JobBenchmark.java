package dev.slicefine.api.jobs;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not a test: measures the packaged server (JDK only, runs from test-classes). Starts {@code java -jar <jar>} on a
 * fresh data dir, uploads a model folder and a JSONL dataset, then
 * <ol>
 *   <li>job creation: --clients concurrent clients each POST /v1/jobs --per-client times (p50/p99/max, jobs/s);</li>
 *   <li>with --list-seconds N: --list-clients clients GET /v1/jobs for N s while --streams SSE streams of queued
 *       jobs' events stay open (p50/p99, errors, and how many streams were still open at the end);</li>
 *   <li>with --train: one job of --max-steps on the embedded worker, followed to 'succeeded', then GET
 *       /artifacts/merged twice (first: merge + download, second: cached download) with MB/s, and the server's heap
 *       (jvm_memory_used_bytes{area="heap"} from /actuator/prometheus) and RSS sampled during the downloads.</li>
 * </ol>
 * <pre>
 * java -cp api/target/test-classes dev.slicefine.api.jobs.JobBenchmark --jar api/target/slicefine-api-0.1.0-SNAPSHOT.jar \
 *     --model /work/shared/models/all-minilm-l6-v2 --dataset /work/shared/datasets/fortunes8.train.jsonl \
 *     --clients 100 --per-client 10 [--train --max-steps 5]
 * </pre>
 */
public final class JobBenchmark {
    private static final String KEY = "sk-benchmark-0123456789abcdefghijkl";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    public static void main(String[] args) throws Exception {
        String jar = arg(args, "--jar", "api/target/slicefine-api-0.1.0-SNAPSHOT.jar");
        Path model = Path.of(arg(args, "--model", "/work/shared/models/all-minilm-l6-v2"));
        Path dataset = Path.of(arg(args, "--dataset", "/work/shared/datasets/fortunes8.train.jsonl"));
        int clients = Integer.parseInt(arg(args, "--clients", "100"));
        int perClient = Integer.parseInt(arg(args, "--per-client", "10"));
        boolean train = Arrays.asList(args).contains("--train");
        int maxSteps = Integer.parseInt(arg(args, "--max-steps", "5"));
        String heap = arg(args, "--xmx", "512m");

        Path data = Files.createTempDirectory("slicefine-jobbench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx" + heap, "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1", "-jar", jar, "--server.port=" + port, "--slicefine.data-dir=" + data));
        if (!train) {
            cmd.add("--slicefine.worker.embedded=false");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("SLICEFINE_ADMIN_KEY", KEY);
        Process server = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
        String base = "http://localhost:" + port;
        try {
            waitReady(base, server);
            System.out.printf("server: %s (pid %d), data %s%n", String.join(" ", cmd), server.pid(), data);
            String modelId = uploadModel(base, model);
            String datasetId = upload(base, "/v1/datasets", List.of(dataset), "file");
            awaitReady(base, "/v1/models/" + modelId);
            awaitReady(base, "/v1/datasets/" + datasetId);
            System.out.printf("model %s and dataset %s ready; heap %.0f MB, RSS %d MB%n", model.getFileName(),
                    dataset.getFileName(), heapMb(base), rssKb(server.pid()) / 1024);

            String body = "{\"model_id\":\"" + modelId + "\",\"dataset_id\":\"" + datasetId + "\",\"train\":{\"max_steps\":"
                    + maxSteps + ",\"batch_size\":8}}";
            if (clients > 0) {
                creation(base, body, clients, perClient, server.pid());
            }
            int listSeconds = Integer.parseInt(arg(args, "--list-seconds", "0"));
            if (listSeconds > 0) {
                listing(base, body, Integer.parseInt(arg(args, "--list-clients", "50")), listSeconds,
                        Integer.parseInt(arg(args, "--streams", "20")), server.pid());
            }
            if (train) {
                train(base, body, server.pid());
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static void creation(String base, String body, int clients, int perClient, long pid) throws Exception {
        {
            // warm-up
            for (int i = 0; i < 20; i++) {
                post(base, body, null);
            }
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicInteger errors = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < perClient; i++) {
                            long t0 = System.nanoTime();
                            int status = post(base, body, UUID.randomUUID().toString()).statusCode();
                            latencies.add(System.nanoTime() - t0);
                            if (status != 201) {
                                errors.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                });
                t.start();
                threads.add(t);
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("POST /v1/jobs, %d clients x %d: %d jobs in %.1f s = %.0f jobs/s, p50 %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms, %d errors; heap %.0f MB, RSS %d MB%n", clients, perClient, sorted.length, seconds,
                    sorted.length / seconds, pct(sorted, 50), pct(sorted, 99), sorted[sorted.length - 1] / 1e6, errors.get(),
                    heapMb(base), rssKb(pid) / 1024);
        }
    }

    private static void listing(String base, String body, int clients, int seconds, int streams, long pid) throws Exception {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            jobs.add(post(base, body, null).body().replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1"));
        }
        HttpClient sse = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>>> open = new ArrayList<>();
        AtomicInteger eventsSeen = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        for (String job : jobs) {
            var f = sse.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + job + "/events"))
                    .header("Authorization", "Bearer " + KEY).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            f.thenAcceptAsync(r -> {
                r.body().forEach(line -> {
                    if (line.startsWith("id:")) {
                        eventsSeen.incrementAndGet();
                    }
                });
                closed.incrementAndGet();
            });
            open.add(f);
        }
        for (var f : open) {
            if (f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode() != 200) {
                throw new IllegalStateException("SSE stream refused");
            }
        }
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest list = HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                        .header("Authorization", "Bearer " + KEY).GET().build();
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        if (http.send(list, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - t0);
                }
            });
            t.start();
            threads.add(t);
        }
        double load0 = loadAverage();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("GET /v1/jobs, %d clients, %d s, %d SSE streams open: %d requests (%.0f req/s), p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms, %d errors; streams still open %d of %d (%d events received); "
                        + "load average %.1f at start, %.1f at end; heap %.0f MB, RSS %d MB%n", clients, seconds, streams,
                sorted.length, sorted.length / (double) seconds, pct(sorted, 50), pct(sorted, 99),
                sorted[sorted.length - 1] / 1e6, errors.get(), streams - closed.get(), streams, eventsSeen.get(), load0,
                loadAverage(), heapMb(base), rssKb(pid) / 1024);
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void train(String base, String body, long pid) throws Exception {
        {
            {
                // Cancel the creation benchmark's jobs so the worker trains only the measured one.
                String job = post(base, body, null).body().replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
                cancelQueuedExcept(base, job);
                long tTrain = System.nanoTime();
                String status;
                do {
                    Thread.sleep(500);
                    status = get(base, "/v1/jobs/" + job).replaceAll("(?s).*?\"status\":\"([^\"]+)\".*", "$1");
                } while (!status.equals("succeeded") && !status.equals("failed") && !status.equals("cancelled"));
                System.out.printf("job %s %s after %.1f s%n", job, status, (System.nanoTime() - tTrain) / 1e9);
                if (status.equals("succeeded")) {
                    for (int i = 0; i < 2; i++) {
                        download(base, "/v1/jobs/" + job + "/artifacts/merged", pid, i == 0 ? "merge + download" : "cached download");
                    }
                }
            }
        }
    }

    private static void cancelQueuedExcept(String base, String keep) throws Exception {
        String cursor = null;
        List<String> ids = new ArrayList<>();
        do {
            String page = get(base, "/v1/jobs?status=queued&limit=100" + (cursor == null ? "" : "&cursor=" + cursor));
            Matcher m = Pattern.compile("\\{\"id\":\"([0-9a-f-]{36})\"").matcher(page);
            while (m.find()) {
                ids.add(m.group(1));
            }
            Matcher c = Pattern.compile("\"next_cursor\":\"([^\"]+)\"").matcher(page);
            cursor = c.find() ? c.group(1) : null;
        } while (cursor != null);
        for (String id : ids) {
            if (!id.equals(keep)) {
                CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id + "/cancel")).header("Authorization", "Bearer " + KEY)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    private static void download(String base, String path, long pid, String label) throws Exception {
        double[] peakHeap = {heapMb(base)};
        long[] peakRss = {rssKb(pid)};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peakHeap[0] = Math.max(peakHeap[0], heapMb(base));
                    peakRss[0] = Math.max(peakRss[0], rssKb(pid));
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + KEY).timeout(Duration.ofMinutes(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long tFirst = System.nanoTime();
        long bytes = 0;
        try (var in = r.body()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                bytes += n;
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        double transfer = (System.nanoTime() - tFirst) / 1e9;
        sampler.interrupt();
        System.out.printf("GET merged (%s): HTTP %d, %.1f MB in %.2f s total (%.2f s to first byte), transfer %.0f MB/s; "
                        + "server heap peak %.0f MB, RSS peak %d MB%n", label, r.statusCode(), bytes / 1e6, total, tFirst > 0 ? (tFirst - t0) / 1e9 : 0,
                bytes / 1e6 / Math.max(transfer, 1e-9), peakHeap[0], peakRss[0] / 1024);
    }

    private static HttpResponse<String> post(String base, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/jobs")).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(String base, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String uploadModel(String base, Path dir) throws Exception {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(dir)) {
            list.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") || n.endsWith(".safetensors") || n.endsWith(".txt");
            }).sorted().forEach(files::add);
        }
        return upload(base, "/v1/models", files, "file");
    }

    private static String upload(String base, String path, List<Path> files, String field) throws Exception {
        String boundary = "bench" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                    + f.getFileName() + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(Files.readAllBytes(f));
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
    }

    private static void awaitReady(String base, String path) throws Exception {
        for (int i = 0; i < 600; i++) {
            String body = get(base, path);
            if (body.contains("\"status\":\"ready\"")) {
                return;
            }
            if (body.contains("\"status\":\"invalid\"")) {
                throw new IllegalStateException(path + " is invalid: " + body);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(path + " not ready");
    }

    private static double heapMb(String base) {
        try {
            String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return sum / 1e6;
        } catch (Exception e) {
            return -1;
        }
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // process gone
        }
        return -1;
    }

    private static void waitReady(String base, Process server) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (!server.isAlive()) {
                throw new IllegalStateException("server exited with " + server.exitValue());
            }
            try {
                if (CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("server did not become ready");
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
