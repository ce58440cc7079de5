package dev.slicefine.api.workers;

import dev.slicefine.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code slicefine_workers_alive}: worker processes running with a heartbeat younger than the lease, read from the
 * database at each scrape (the same number on every api replica). NaN while the database cannot be read.
 */
@Component
class WorkerMetrics {
    private static final Logger log = LoggerFactory.getLogger(WorkerMetrics.class);

    WorkerMetrics(MeterRegistry registry, WorkerQueries workers, WorkerProperties properties) {
        Duration staleAfter = WorkerController.staleAfter(properties);
        Gauge.builder("slicefine.workers.alive", workers, w -> alive(w, staleAfter))
                .description("Worker processes with a heartbeat younger than the lease")
                .register(registry);
    }

    private static double alive(WorkerQueries workers, Duration staleAfter) {
        try {
            return workers.alive(staleAfter);
        } catch (RuntimeException e) {
            log.debug("slicefine.workers.alive unavailable: {}", e.toString());
            return Double.NaN;
        }
    }
}
