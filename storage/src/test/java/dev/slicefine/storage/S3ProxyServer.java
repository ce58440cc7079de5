package dev.slicefine.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A real S3 server for tests (also the api's multi-node test): s3proxy (Maven Central) with its filesystem backend, in its own JVM started from the
 * classpath that deploy/s3proxy resolves apart from the Spring Boot BOM. It signs requests with AWS SigV4 like S3.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String IDENTITY = "test-identity";
    public static final String CREDENTIAL = "test-credential-0123456789";

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private S3ProxyServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    public static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
        String cpFile = System.getProperty("slicefine.s3proxy.classpath", "../deploy/s3proxy/target/s3proxy.classpath");
        Path classpath = Path.of(cpFile);
        if (!Files.isRegularFile(classpath)) {
            throw new IllegalStateException(classpath.toAbsolutePath() + " is missing: build deploy/s3proxy first"
                    + " (mvn -pl worker -am ... builds it)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-DLOG_LEVEL=warn",
                "-Ds3proxy.endpoint=http://127.0.0.1:" + port,
                "-Ds3proxy.authorization=aws-v2-or-v4",
                "-Ds3proxy.identity=" + IDENTITY,
                "-Ds3proxy.credential=" + CREDENTIAL,
                "-Djclouds.provider=filesystem",
                "-Djclouds.identity=" + IDENTITY,
                "-Djclouds.credential=" + CREDENTIAL,
                "-Djclouds.filesystem.basedir=" + data,
                "-cp", Files.readString(classpath).trim(),
                "org.gaul.s3proxy.Main", "--properties", "/dev/null"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(p, URI.create("http://127.0.0.1:" + port), log);
        server.awaitUp();
        return server;
    }

    private void awaitUp() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited: " + Files.readString(log));
            }
            try {
                // Anonymous requests are refused (403): the server is up and checks signatures.
                http.send(HttpRequest.newBuilder(endpoint).GET().build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        close();
        throw new IllegalStateException("s3proxy did not start in 90 s: " + Files.readString(log));
    }

    public URI endpoint() {
        return endpoint;
    }

    public StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
