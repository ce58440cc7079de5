package dev.slicefine.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.slicefine.worker.jobs.WebhookPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery connects to the address the policy checked (no second lookup for DNS rebinding to answer). */
class WebhooksTest {
    private static final String NAME = "hooks.example.test"; // no resolver here knows it but the policy's

    record Received(String host, String path, String query, String signature, String agent, String body) {}

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private CountDownLatch delivered;

    @BeforeEach
    void receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new Received(ex.getRequestHeaders().getFirst("Host"), ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER),
                    ex.getRequestHeaders().getFirst("User-Agent"), new String(body, StandardCharsets.UTF_8)));
            int status = failFirst.getAndDecrement() > 0 ? 503 : 204;
            ex.sendResponseHeaders(status, -1);
            ex.close();
            if (status == 204) {
                delivered.countDown();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    @Test
    void deliversToTheCheckedAddressWithTheUrlsHostAndOneLookupPerAttempt() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        WebhookPolicy policy = new WebhookPolicy(true, Set.of(), host -> {
            if (!host.equals(NAME)) {
                throw new UnknownHostException(host);
            }
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByAddress(NAME, InetAddress.getLoopbackAddress().getAddress())};
        });
        delivered = new CountDownLatch(1);
        failFirst.set(1); // the first attempt gets 503: the retry resolves and checks again
        UUID job = UUID.randomUUID();
        try (Webhooks hooks = new Webhooks(null, "s3cret", 3, Duration.ofMillis(20), policy)) {
            hooks.jobEnded(job, "http://" + NAME + ":" + port() + "/hook/a%20b?x=1&y=2", "succeeded", null, null);
            assertThat(delivered.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(received).hasSize(2);
        Received r = received.get(1);
        assertThat(r.host()).isEqualTo(NAME + ":" + port());
        assertThat(r.path()).isEqualTo("/hook/a%20b");
        assertThat(r.query()).isEqualTo("x=1&y=2");
        assertThat(r.agent()).isEqualTo("SliceFine-Webhooks");
        assertThat(r.body()).isEqualTo("{\"job_id\":\"" + job + "\",\"status\":\"succeeded\",\"error\":null}");
        assertThat(r.signature()).isEqualTo("sha256=" + Webhooks.sign("s3cret", r.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(lookups.get()).as("one lookup per attempt, the one the policy checked").isEqualTo(2);
    }

    @Test
    void aNameThatNowResolvesToAForbiddenAddressIsNotContacted() throws Exception {
        // strict policy: the name answers with loopback at delivery (after a public answer at creation, say)
        WebhookPolicy strict = new WebhookPolicy(false, Set.of(port()), host ->
                new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getLoopbackAddress().getAddress())});
        assertThat(strict.deliveryTarget("http://" + NAME + ":" + port() + "/hook").refusal()).isNotNull();
        try (Webhooks hooks = new Webhooks(null, "", 2, Duration.ofMillis(10), strict)) {
            hooks.jobEnded(UUID.randomUUID(), "http://" + NAME + ":" + port() + "/hook", "failed", "x", "y");
        }
        Thread.sleep(300); // the refused delivery ends at once; nothing may arrive
        assertThat(received).isEmpty();
    }

    @Test
    void readsOnlyAnHttpStatusLine() throws Exception {
        assertThat(PinnedPost.status("HTTP/1.1 204 No Content")).isEqualTo(204);
        assertThat(PinnedPost.status("HTTP/1.0 302")).isEqualTo(302);
        assertThatThrownBy(() -> PinnedPost.status("SSH-2.0-OpenSSH_9.2")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PinnedPost.status("HTTP/1.1 2000 ok")).isInstanceOf(IOException.class);
    }
}
