package dev.slicefine.api.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: measures the packaged server. Starts {@code java -Xmx256m -jar <jar>} on a fresh data dir (embedded
 * PostgreSQL), streams a generated JSONL dataset of --size-mb through POST /v1/datasets (throughput, server RSS),
 * then hammers GET /v1/models with --clients concurrent clients for --seconds (p50/p99 latency).
 *
 * <pre>
 * mvn -q -pl db-migrations,api package -DskipTests &amp;&amp; mvn -q -pl api test-compile
 * java -cp api/target/test-classes dev.slicefine.api.bench.ApiBenchmark \
 *     --jar api/target/slicefine-api-0.1.0-SNAPSHOT.jar --size-mb 1024 --clients 50 --seconds 20
 * </pre>
 * Uses only the JDK so it runs from test-classes alone.
 */
public final class ApiBenchmark {
    private static final String KEY = "sk-benchmark-0123456789abcdefghijkl";

    public static void main(String[] args) throws Exception {
        String jar = arg(args, "--jar", "api/target/slicefine-api-0.1.0-SNAPSHOT.jar");
        long sizeMb = Long.parseLong(arg(args, "--size-mb", "1024"));
        int clients = Integer.parseInt(arg(args, "--clients", "50"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "20"));
        String heap = arg(args, "--xmx", "256m");

        Path data = Files.createTempDirectory("slicefine-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx" + heap, "-jar", jar, "--server.port=" + port,
                "--slicefine.data-dir=" + data).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
        pb.environment().put("SLICEFINE_ADMIN_KEY", KEY);
        Process server = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
        String base = "http://localhost:" + port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            long t0 = System.nanoTime();
            waitReady(client, base, server);
            System.out.printf("server: java -Xmx%s -jar %s (pid %d), data %s, ready in %.1f s%n", heap, jar, server.pid(), data,
                    (System.nanoTime() - t0) / 1e9);
            System.out.printf("RSS after start: %d MB%n", rssKb(server.pid(), "VmRSS") / 1024);

            // 1. Upload
            RssSampler sampler = new RssSampler(server.pid());
            sampler.start();
            long bytes = sizeMb * 1024 * 1024;
            GeneratedJsonl body = new GeneratedJsonl(bytes);
            String boundary = "benchboundary";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.jsonl\"\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            HttpRequest upload = HttpRequest.newBuilder(URI.create(base + "/v1/datasets"))
                    .header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() ->
                            new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head), body),
                                    new ByteArrayInputStream(tail))), head.length + bytes + tail.length))
                    .build();
            long u0 = System.nanoTime();
            HttpResponse<String> r = client.send(upload, HttpResponse.BodyHandlers.ofString());
            double secs = (System.nanoTime() - u0) / 1e9;
            sampler.stopSampling();
            String sha = body.sha256();
            if (r.statusCode() != 201 || !r.body().contains(sha)) {
                throw new IllegalStateException("upload failed: " + r.statusCode() + " " + r.body());
            }
            System.out.printf("upload: %d MB in %.1f s = %.1f MB/s, sha256 verified (%s)%n", sizeMb, secs, sizeMb / secs, sha);
            System.out.printf("server RSS during upload: peak %d MB (VmHWM since start %d MB)%n",
                    sampler.peakKb / 1024, rssKb(server.pid(), "VmHWM") / 1024);
            String id = r.body().replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
            long v0 = System.nanoTime();
            String status;
            do {
                Thread.sleep(500);
                status = client.send(get(base + "/v1/datasets/" + id), HttpResponse.BodyHandlers.ofString()).body()
                        .replaceAll("(?s).*?\"status\":\"([^\"]+)\".*", "$1");
            } while (status.equals("validating"));
            System.out.printf("validation of the %d MB dataset: %s after %.1f s; RSS now %d MB, VmHWM %d MB%n", sizeMb, status,
                    (System.nanoTime() - v0) / 1e9, rssKb(server.pid(), "VmRSS") / 1024, rssKb(server.pid(), "VmHWM") / 1024);

            // 2. GET /v1/models latency
            for (int i = 0; i < 100; i++) {
                String b = "mb";
                byte[] part = ("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"config.json\"\r\n\r\n{\"model_type\":\"bert\",\"i\":" + i + "}\r\n--" + b + "--\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> m = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                        .header("Authorization", "Bearer " + KEY).header("Content-Type", "multipart/form-data; boundary=" + b)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(part)).build(), HttpResponse.BodyHandlers.ofString());
                if (m.statusCode() != 201) {
                    throw new IllegalStateException(m.body());
                }
            }
            latency(client, base, clients, 3, false);
            latency(client, base, clients, seconds, true);
            System.out.printf("server RSS at the end: %d MB, VmHWM %d MB%n", rssKb(server.pid(), "VmRSS") / 1024,
                    rssKb(server.pid(), "VmHWM") / 1024);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static void latency(HttpClient unused, String base, int clients, int seconds, boolean report) throws Exception {
        List<long[]> perThread = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] samples = new long[2_000_000];
            perThread.add(samples);
            Thread t = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int n = 1;
                while (!stop.get() && n < samples.length) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(get(base + "/v1/models"), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    samples[n++] = System.nanoTime() - s;
                }
                samples[0] = n - 1;
            });
            threads.add(t);
            t.start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!report) {
            return;
        }
        long total = perThread.stream().mapToLong(s -> s[0]).sum();
        long[] all = new long[(int) total];
        int i = 0;
        for (long[] s : perThread) {
            System.arraycopy(s, 1, all, i, (int) s[0]);
            i += (int) s[0];
        }
        Arrays.sort(all);
        System.out.printf("GET /v1/models (20 items per page, 100 models), %d clients, %d s: %d requests (%.0f req/s), "
                        + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d%n",
                clients, seconds, total, total / (double) seconds, pct(all, 50), pct(all, 90), pct(all, 99),
                all[all.length - 1] / 1e6, errors.get());
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + KEY).GET().build();
    }

    private static void waitReady(HttpClient client, String base, Process server) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < end) {
            if (!server.isAlive()) {
                throw new IllegalStateException("server exited: " + server.exitValue());
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("server not ready");
    }

    static long rssKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /** Samples the server's resident set every 50 ms. */
    private static final class RssSampler extends Thread {
        private final long pid;
        private volatile boolean running = true;
        volatile long peakKb;

        RssSampler(long pid) {
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                peakKb = Math.max(peakKb, rssKb(pid, "VmRSS"));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            running = false;
        }
    }

    /** Exactly {@code size} bytes of valid JSONL, generated on the fly and hashed as it is read. */
    private static final class GeneratedJsonl extends InputStream {
        private final long size;
        private long sent;
        private final MessageDigest digest;
        private byte[] line = new byte[0];
        private int linePos;
        private long row;

        GeneratedJsonl(long size) throws Exception {
            this.size = size;
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (sent >= size) {
                return -1;
            }
            int n = 0;
            while (n < len && sent < size) {
                if (linePos == line.length) {
                    long left = size - sent;
                    String text = "{\"text\":\"benchmark row " + row + " lorem ipsum dolor sit amet consectetur\",\"label\":\"" + (row % 5) + "\"}\n";
                    row++;
                    if (text.length() + 80 > left) {
                        // finish with one row padded to the exact size
                        StringBuilder pad = new StringBuilder("{\"text\":\"end");
                        while (pad.length() + "\",\"label\":\"0\"}\n".length() < left) {
                            pad.append('x');
                        }
                        text = pad + "\",\"label\":\"0\"}\n";
                    }
                    line = text.getBytes(StandardCharsets.UTF_8);
                    linePos = 0;
                }
                int chunk = (int) Math.min(Math.min(len - n, line.length - linePos), size - sent);
                System.arraycopy(line, linePos, b, off + n, chunk);
                digest.update(line, linePos, chunk);
                linePos += chunk;
                n += chunk;
                sent += chunk;
            }
            return n;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
