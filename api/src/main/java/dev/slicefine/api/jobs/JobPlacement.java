package dev.slicefine.api.jobs;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where a job's latest attempt runs or ran: the device and the worker id that the claiming worker stamped on the row
 * ({@code jobs.device}, {@code jobs.worker_id}); both null before the first claim. A JdbcClient read of its own.
 */
@Component
class JobPlacement {
    record Placement(String device, String worker) {
        static final Placement NONE = new Placement(null, null);
    }

    private final JdbcClient jdbc;

    JobPlacement(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Placement of(UUID job) {
        Optional<Placement> p = jdbc.sql("SELECT device, worker_id FROM jobs WHERE id = :id").param("id", job)
                .query((rs, n) -> new Placement(rs.getString("device"), rs.getString("worker_id"))).optional();
        return p.orElse(Placement.NONE);
    }
}
