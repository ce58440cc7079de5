package dev.slicefine.worker.run;

import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.jobs.WebhookPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a job's {@code webhook_url} how it ended: a JSON body signed with HMAC-SHA256 over the exact body bytes
 * ({@code X-SliceFine-Signature: sha256=<hex>}), retried with exponential backoff on its own thread, so a slow
 * receiver never holds a worker; a delivery that keeps failing becomes a {@code warning} event of the job that says
 * only "delivery failed (status N / timeout)" (the details, which could map a network, stay in the server log).
 * {@link WebhookPolicy} is asked before every attempt, after resolving the host, and the attempt connects to the address
 * it checked ({@link PinnedPost}); redirects are never followed.
 */
public class Webhooks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    public static final String SIGNATURE_HEADER = "X-SliceFine-Signature";

    private final JobQueue queue;
    private final String secret;
    private final int attempts;
    private final Duration backoff;
    private final WebhookPolicy policy;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "slicefine-webhooks");
        t.setDaemon(true);
        return t;
    });

    public Webhooks(JobQueue queue, String secret, int attempts, Duration backoff, WebhookPolicy policy) {
        this.queue = queue;
        this.policy = policy;
        this.secret = secret;
        this.attempts = Math.max(1, attempts);
        this.backoff = backoff;
    }

    /** Queues the delivery of {job_id, status, error} to {@code url}. */
    public void jobEnded(UUID job, String url, String status, String errorCode, String errorMessage) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.toString());
        body.put("status", status);
        if (errorCode == null) {
            body.put("error", null);
        } else {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", errorCode);
            error.put("message", errorMessage);
            body.put("error", error);
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        executor.submit(() -> deliver(job, url, bytes));
    }

    private void deliver(UUID job, String url, byte[] body) {
        String last = null;
        String shown = null;
        for (int i = 1; i <= attempts; i++) {
            WebhookPolicy.Target target = policy.deliveryTarget(url);
            if (target.refusal() != null) {
                last = "refused by the webhook policy: " + target.refusal().detail();
                shown = "address not allowed";
                break; // DNS could change, but retrying a refused address only probes it again
            }
            try {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", "application/json");
                headers.put("User-Agent", "SliceFine-Webhooks");
                if (secret != null && !secret.isEmpty()) {
                    headers.put(SIGNATURE_HEADER, "sha256=" + sign(secret, body));
                }
                // to the address the policy just checked, not to the name again (DNS rebinding)
                int status = PinnedPost.send(target.uri(), target.addresses().get(0), headers, body, TIMEOUT);
                if (status / 100 == 2) {
                    return;
                }
                last = "HTTP " + status;
                shown = "status " + status;
            } catch (Exception e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                shown = "timeout";
            }
            if (i < attempts) {
                try {
                    Thread.sleep(backoff.toMillis() << (i - 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        log.warn("Job {}: webhook {} failed: {}", job, url, last);
        try {
            queue.event(job, "warning", null, null, "webhook_failed", "webhook delivery failed (" + shown + ")", null);
        } catch (RuntimeException e) {
            log.warn("Job {}: could not record the webhook failure: {}", job, e.toString());
        }
    }

    /** Lowercase hex HMAC-SHA256 of {@code body} under {@code secret}: what a receiver recomputes to check the header. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
