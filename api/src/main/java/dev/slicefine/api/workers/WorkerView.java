package dev.slicefine.api.workers;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A worker process as the workers table holds it. {@code stale}: it says it runs but its last heartbeat is older than
 * the lease ({@code heartbeat_age_seconds} > {@code stale_after_seconds} of the list), so it probably died: its jobs
 * go back to the queue when their leases expire.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerView(String id, String host, long pid, String device, String version, int threads, String state,
                         boolean stale, List<UUID> runningJobs, int runningJobCount, Instant startedAt,
                         Instant heartbeatAt, double heartbeatAgeSeconds, Instant stoppedAt) {

    /** Every worker seen in the last days, newest heartbeat first, and the heartbeat age that makes one stale. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkerList(List<WorkerView> items, long staleAfterSeconds, int alive) {}
}
