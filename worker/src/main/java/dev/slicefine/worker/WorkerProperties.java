package dev.slicefine.worker;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's view of {@code slicefine.*}: the same data dir as the api (blobs/ is shared storage, work/ holds job
 * work dirs) and the worker pool settings under {@code slicefine.worker.*}.
 */
@ConfigurationProperties("slicefine")
public record WorkerProperties(
        @DefaultValue("./data") Path dataDir,
        /** HMAC-SHA256 key for webhook signatures; webhooks are sent unsigned when absent. */
        String webhookSecret,
        @DefaultValue Worker worker,
        @DefaultValue Webhooks webhooks) {

    /** Where webhooks may go (see {@link dev.slicefine.worker.jobs.WebhookPolicy}). */
    public record Webhooks(
            /** Let webhooks reach loopback, private and link-local receivers on any port (self-hosted setups). */
            @DefaultValue("false") boolean allowPrivate,
            /** Non-default ports public receivers may use. */
            @DefaultValue java.util.List<Integer> allowedPorts,
            /**
             * Host names the policy resolves to these addresses instead of asking DNS (name -> IP). Only the check
             * uses it, not the connection: it lets tests give a public-looking name a loopback answer.
             */
            @DefaultValue java.util.Map<String, String> hosts) {

        public dev.slicefine.worker.jobs.WebhookPolicy policy() {
            return new dev.slicefine.worker.jobs.WebhookPolicy(allowPrivate, java.util.Set.copyOf(allowedPorts), host -> {
                String fixed = hosts.get(host.toLowerCase(java.util.Locale.ROOT));
                return fixed != null ? new java.net.InetAddress[]{java.net.InetAddress.getByName(fixed)}
                        : java.net.InetAddress.getAllByName(host);
            });
        }
    }

    public record Worker(
            /** The api runs a worker pool in its own JVM (single-machine default). */
            @DefaultValue("true") boolean embedded,
            /** Worker threads in this JVM, each running one job at a time. */
            @DefaultValue("1") int count,
            /** A claimed job is this worker's until the lease expires; the heartbeat renews it every lease/3. */
            @DefaultValue("30s") Duration lease,
            /** Heartbeat period (at most lease/3); it also polls cancel_requested, so it bounds how fast cancel acts. */
            @DefaultValue("2s") Duration heartbeat,
            /** Pause between claim attempts while the queue is empty. */
            @DefaultValue("1s") Duration poll,
            /** How often this JVM returns jobs with expired leases to the queue. */
            @DefaultValue("10s") Duration reaperInterval,
            /** Job work dirs; default {@code <data-dir>/work}. */
            Path workDir,
            /** Webhook deliveries tried per job end, with exponential backoff from {@code webhookBackoff}. */
            @DefaultValue("3") int webhookAttempts,
            @DefaultValue("1s") Duration webhookBackoff,
            /**
             * Training time between checkpoints of a job that sets no {@code train.checkpoint_minutes}: a crash or a
             * lost lease loses at most this much work. 0 = only the job's own checkpoint_every.
             */
            @DefaultValue("10m") Duration checkpointInterval,
            /**
             * Where this JVM's jobs train and evaluate: auto (the first CUDA GPU libtorch sees, else the CPU), cpu or
             * cuda:N. A misspelling fails binding; a GPU that is not there fails the pool's start.
             */
            @DefaultValue("auto") dev.slicefine.engine.ComputeDevice device) {}


    public Path workDir() { return worker.workDir() != null ? worker.workDir() : dataDir.resolve("work"); }
}
