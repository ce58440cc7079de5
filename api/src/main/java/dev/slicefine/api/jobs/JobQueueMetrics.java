package dev.slicefine.api.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The queue as Prometheus gauges, read from the database at each scrape (all tenants): {@code slicefine_jobs_queued}
 * and {@code slicefine_jobs_running}. Every api replica reports the same numbers; an autoscaler (the Helm chart's
 * KEDA ScaledObject) takes their max. NaN while the database cannot be read.
 */
@Component
class JobQueueMetrics {
    private static final Logger log = LoggerFactory.getLogger(JobQueueMetrics.class);

    JobQueueMetrics(MeterRegistry registry, JobRepository jobs) {
        gauge(registry, jobs, JobStatus.queued, "Jobs waiting for a worker, all tenants");
        gauge(registry, jobs, JobStatus.running, "Jobs held by a worker, all tenants");
    }

    private static void gauge(MeterRegistry registry, JobRepository jobs, JobStatus status, String description) {
        Gauge.builder("slicefine.jobs." + status.name(), jobs, r -> count(r, status))
                .description(description)
                .register(registry);
    }

    private static double count(JobRepository jobs, JobStatus status) {
        try {
            return jobs.countByStatus(status);
        } catch (RuntimeException e) {
            log.debug("slicefine.jobs.{} unavailable: {}", status, e.toString());
            return Double.NaN;
        }
    }
}
