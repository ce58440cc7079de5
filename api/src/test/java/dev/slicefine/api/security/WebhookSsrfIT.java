package dev.slicefine.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.WebhookPolicy;
import dev.slicefine.worker.run.Webhooks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Webhooks against a real local HTTP receiver: delivered when {@code allow-private} is on; refused at job creation
 * and again at delivery when it is off, also for a public-looking name that resolves to 127.0.0.1.
 */
class WebhookSsrfIT extends ApiTestBase {
    private static final String PUBLIC_LOOKING = "hooks.example.test";

    @Autowired
    JobQueue queue;

    private HttpServer receiver;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void receiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.createContext("/redirect", exchange -> {
            received.add("redirect");
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private int port() {
        return receiver.getAddress().getPort();
    }

    /** Resolves the public-looking name to loopback, as a hostile DNS answer would; nothing else resolves. */
    private static InetAddress[] resolve(String host) throws UnknownHostException {
        if (host.equals(PUBLIC_LOOKING)) {
            return new InetAddress[]{InetAddress.getByName("127.0.0.1")};
        }
        throw new UnknownHostException(host);
    }

    @Test
    void jobCreationRefusesLoopbackReceiversAndNamesThatResolveToThem() {
        TenantKey t = newTenant();
        String model = JobFixtures.uploadModel(http, t.key(), Fixtures.bertTiny());
        String dataset = JobFixtures.uploadDataset(http, t.key(), "d.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        for (String url : List.of("http://127.0.0.1:" + port() + "/hook", "http://localhost:" + port() + "/hook",
                "http://" + PUBLIC_LOOKING + "/hook", "http://" + PUBLIC_LOOKING + ":" + port() + "/hook")) {
            Http.Response r = http.postJson("/v1/jobs", t.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\""
                    + dataset + "\",\"webhook_url\":\"" + url + "\"}");
            assertProblem(r, 422, "invalid_job");
            assertThat(r.json().get("errors").toString()).as(url).contains("webhook_url");
        }
        // A public name that does not resolve yet is accepted; delivery checks it again.
        Http.Response ok = http.postJson("/v1/jobs", t.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\""
                + dataset + "\",\"webhook_url\":\"https://hooks.example.com/slicefine\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(received).isEmpty();
    }

    @Test
    void deliversToALocalReceiverWhenPrivateReceiversAreAllowed() throws Exception {
        WebhookPolicy policy = new WebhookPolicy(true, Set.of(), WebhookSsrfIT::resolve);
        assertThat(policy.checkAtCreation("http://127.0.0.1:" + port() + "/hook")).isEmpty();
        try (Webhooks hooks = new Webhooks(queue, "secret", 1, Duration.ofMillis(10), policy)) {
            hooks.jobEnded(UUID.randomUUID(), "http://127.0.0.1:" + port() + "/hook", "succeeded", null, null);
            Fixtures.await(Duration.ofSeconds(10), () -> received.size(), n -> n == 1);
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).contains("\"status\":\"succeeded\"");
    }

    @Test
    void deliveryRefusesPrivateAddressesAfterResolvingAndNeverFollowsRedirects() throws Exception {
        TenantKey t = newTenant();
        String model = JobFixtures.uploadModel(http, t.key(), Fixtures.bertTiny());
        String dataset = JobFixtures.uploadDataset(http, t.key(), "d.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        String job = http.postJson("/v1/jobs", t.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"}")
                .json().get("id").asString();
        UUID id = UUID.fromString(job);

        // The receiver's port is allowed, so only the address decides: the name resolves to 127.0.0.1 at delivery.
        WebhookPolicy strict = new WebhookPolicy(false, Set.of(port()), WebhookSsrfIT::resolve);
        try (Webhooks hooks = new Webhooks(queue, "secret", 2, Duration.ofMillis(10), strict)) {
            hooks.jobEnded(id, "http://" + PUBLIC_LOOKING + ":" + port() + "/hook", "succeeded", null, null);
            hooks.jobEnded(id, "http://127.0.0.1:" + port() + "/hook", "succeeded", null, null);
            awaitWarnings(t, job, 2);
        }
        assertThat(received).as("nothing reached the receiver").isEmpty();

        // Allowed receiver that redirects to itself: the redirect is not followed, and the tenant learns only the status.
        WebhookPolicy open = new WebhookPolicy(true, Set.of(), WebhookSsrfIT::resolve);
        try (Webhooks hooks = new Webhooks(queue, "secret", 1, Duration.ofMillis(10), open)) {
            hooks.jobEnded(id, "http://127.0.0.1:" + port() + "/redirect", "succeeded", null, null);
            awaitWarnings(t, job, 3);
        }
        assertThat(received).containsExactly("redirect");
        var messages = http.get("/v1/jobs/" + job + "/events", t.key()).json().get("items").valueStream()
                .filter(e -> e.get("type").asString().equals("warning")).map(e -> e.get("message").asString()).toList();
        assertThat(messages).containsExactly("webhook delivery failed (address not allowed)",
                "webhook delivery failed (address not allowed)", "webhook delivery failed (status 302)");
        assertThat(String.join(" ", messages)).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(port()));
    }

    private void awaitWarnings(TenantKey t, String job, int n) {
        Fixtures.await(Duration.ofSeconds(15), () -> http.get("/v1/jobs/" + job + "/events", t.key()).json().get("items")
                .valueStream().filter(e -> e.get("type").asString().equals("warning")).count(), c -> c >= n);
    }

    @Test
    void policyRefusesEveryInternalAddressForm() {
        WebhookPolicy strict = new WebhookPolicy(false, Set.of(), WebhookSsrfIT::resolve);
        for (String url : List.of("http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/", "http://[fd00:ec2::254]/",
                "http://0x7f000001/", "http://2130706433/", "http://017700000001/", "http://127.1/", "http://[::ffff:7f00:1]/",
                "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://100.64.0.1/",
                "http://10.1.2.3/", "http://[fc00::1]/", "http://[ff02::1]/", "http://255.255.255.255/", "http://a:b@example.com/",
                "http://example.com:22/", "gopher://example.com/", "http://x.localhost/", "http://" + PUBLIC_LOOKING + "/")) {
            assertThat(strict.checkAtCreation(url)).as(url).isPresent();
        }
        assertThat(strict.checkAtCreation("https://example.com/hook")).isEmpty();
        assertThat(strict.checkAtCreation("http://93.184.216.34/hook")).isEmpty();
        assertThat(strict.checkAtDelivery("https://example.com/hook")).as("does not resolve here").isPresent();
        WebhookPolicy open = new WebhookPolicy(true, Set.of(), WebhookSsrfIT::resolve);
        assertThat(open.checkAtCreation("http://127.0.0.1:9000/")).isEmpty();
        assertThat(open.checkAtCreation("http://169.254.169.254/")).as("metadata stays refused").isPresent();
        assertThat(open.checkAtCreation("http://a:b@127.0.0.1/")).isPresent();
    }
}
