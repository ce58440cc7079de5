package dev.slicefine.api.jobs;

import dev.slicefine.api.auth.ApiKeyService;
import dev.slicefine.api.auth.Caller;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-Sent Events for a job's events or metrics. No request thread is held: each open stream is a task on a
 * small scheduled pool that polls the database every {@code poll} and pushes new rows (id = seq or metric id,
 * event = type, data = JSON). A heartbeat comment every {@code heartbeat} finds clients that went away: the failed
 * write stops the task. The stream ends after the job is terminal and its last rows were sent, and within
 * {@code auth-recheck} of its key being revoked (the key and its tenant are checked again that often).
 */
@Component
public class JobStreams implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(JobStreams.class);
    private static final int BATCH = 500;

    public enum Kind { events, metrics }

    private final JobRepository jobs;
    private final JobEventRepository events;
    private final JobMetricRepository metrics;
    private final ApiKeyService keys;
    private final JsonMapper json;
    private final Duration poll;
    private final Duration authRecheck;
    private final Duration heartbeat;
    private final int maxStreams;
    private final ScheduledExecutorService pool;
    private final AtomicInteger open = new AtomicInteger();

    JobStreams(JobRepository jobs, JobEventRepository events, JobMetricRepository metrics, ApiKeyService keys, JsonMapper json,
               @Value("${slicefine.jobs.stream.poll:500ms}") Duration poll,
               @Value("${slicefine.jobs.stream.auth-recheck:2s}") Duration authRecheck,
               @Value("${slicefine.jobs.stream.heartbeat:15s}") Duration heartbeat,
               @Value("${slicefine.jobs.stream.max-open:1000}") int maxStreams,
               @Value("${slicefine.jobs.stream.threads:2}") int threads) {
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.keys = keys;
        this.authRecheck = authRecheck;
        this.json = json;
        this.poll = poll;
        this.heartbeat = heartbeat;
        this.maxStreams = maxStreams;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "sse-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int openStreams() {
        return open.get();
    }

    public SseEmitter open(Caller caller, UUID jobId, Kind kind, long after) {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            throw new dev.slicefine.api.common.ApiException(org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE,
                    "too_many_streams", "Too many open event streams; retry later or poll the JSON endpoint");
        }
        SseEmitter emitter = new SseEmitter(0L);
        Stream stream = new Stream(caller, jobId, kind, after, emitter);
        emitter.onCompletion(stream::stop);
        emitter.onTimeout(stream::stop);
        emitter.onError(e -> stream.stop());
        stream.future = pool.scheduleWithFixedDelay(stream::tick, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
        synchronized (stream) {
            if (stream.stopped) {
                stream.future.cancel(false);
            }
        }
        return emitter;
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }

    private final class Stream {
        final Caller caller;
        long lastAuthCheck = System.nanoTime();
        final UUID jobId;
        final Kind kind;
        final SseEmitter emitter;
        long last;
        long lastWrite = System.nanoTime();
        volatile ScheduledFuture<?> future;
        boolean stopped;

        Stream(Caller caller, UUID jobId, Kind kind, long after, SseEmitter emitter) {
            this.caller = caller;
            this.jobId = jobId;
            this.kind = kind;
            this.last = after;
            this.emitter = emitter;
        }

        synchronized void tick() {
            if (stopped) {
                return;
            }
            try {
                if (System.nanoTime() - lastAuthCheck > authRecheck.toNanos()) {
                    lastAuthCheck = System.nanoTime();
                    if (!keys.stillValid(caller)) {
                        log.info("SSE stream for job {} closed: key {} revoked", jobId, caller.keyId());
                        stop();
                        emitter.send(SseEmitter.event().name("revoked").data("{\"code\":\"unauthorized\"}"));
                        emitter.complete();
                        return;
                    }
                }
                // Status first: rows written before the job turned terminal are then surely in the fetch below.
                boolean terminal = jobs.statusOf(jobId).map(JobStatus::terminal).orElse(true);
                int sent;
                do {
                    sent = kind == Kind.events ? sendEvents() : sendMetrics();
                } while (sent == BATCH);
                if (terminal && sent == 0) {
                    stop();
                    emitter.complete();
                    return;
                }
                if (System.nanoTime() - lastWrite > heartbeat.toNanos()) {
                    emitter.send(SseEmitter.event().comment("keepalive"));
                    lastWrite = System.nanoTime();
                }
            } catch (IOException | IllegalStateException e) {
                // The client went away (or the emitter is already done): free the slot.
                log.debug("SSE stream for job {} ended: {}", jobId, e.toString());
                stop();
            } catch (RuntimeException e) {
                log.warn("SSE stream for job {} failed", jobId, e);
                stop();
                emitter.completeWithError(e);
            }
        }

        private int sendEvents() throws IOException {
            List<EventView> rows = events.events(jobId, last, BATCH);
            for (EventView e : rows) {
                emitter.send(SseEmitter.event().id(Long.toString(e.seq())).name(e.type()).data(json.writeValueAsString(e)));
                last = e.seq();
            }
            if (!rows.isEmpty()) {
                lastWrite = System.nanoTime();
            }
            return rows.size();
        }

        private int sendMetrics() throws IOException {
            List<MetricView> rows = metrics.metrics(jobId, last, BATCH);
            for (MetricView m : rows) {
                emitter.send(SseEmitter.event().id(Long.toString(m.id())).name("metric").data(json.writeValueAsString(m)));
                last = m.id();
            }
            if (!rows.isEmpty()) {
                lastWrite = System.nanoTime();
            }
            return rows.size();
        }

        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            open.decrementAndGet();
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** Where a (re)connecting stream starts: after its Last-Event-ID header, else after {@code ?after=}, else from 0. */
    public static long resumeFrom(String lastEventId, Long after) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                return Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw dev.slicefine.api.common.ApiException.badRequest("invalid_parameter", "Last-Event-ID must be a number");
            }
        }
        return after == null ? 0 : after;
    }
}
