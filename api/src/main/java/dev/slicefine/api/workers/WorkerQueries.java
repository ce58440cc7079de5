package dev.slicefine.api.workers;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads of the workers table (written only by the worker module's WorkerRegistry), with JdbcClient: the list for
 * {@code GET /v1/workers} and the alive count for the {@code slicefine_workers_alive} gauge. Ages are computed by
 * PostgreSQL's clock, the one that stamped the heartbeats.
 */
@Component
class WorkerQueries {
    private final JdbcClient jdbc;

    WorkerQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<WorkerView> list(Duration staleAfter) {
        return jdbc.sql("""
                SELECT id, host, pid, device, version, threads, state, running_jobs, started_at, heartbeat_at, stopped_at,
                       extract(epoch FROM now() - heartbeat_at) AS age
                FROM workers ORDER BY heartbeat_at DESC, id""")
                .query((rs, n) -> view(rs, staleAfter)).list();
    }

    /** Workers that say they run and whose heartbeat is younger than {@code staleAfter}. */
    long alive(Duration staleAfter) {
        return jdbc.sql("""
                SELECT count(*) FROM workers
                WHERE state = 'running' AND heartbeat_at > now() - make_interval(secs => :secs)""")
                .param("secs", staleAfter.toMillis() / 1000.0).query(Long.class).single();
    }

    private static WorkerView view(ResultSet rs, Duration staleAfter) throws SQLException {
        List<UUID> jobs = uuids(rs.getArray("running_jobs"));
        double age = Math.max(0, rs.getDouble("age"));
        String state = rs.getString("state");
        return new WorkerView(rs.getString("id"), rs.getString("host"), rs.getLong("pid"), rs.getString("device"),
                rs.getString("version"), rs.getInt("threads"), state,
                state.equals("running") && age * 1000 > staleAfter.toMillis(), jobs, jobs.size(),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("heartbeat_at")),
                Math.round(age * 10) / 10.0, instant(rs.getTimestamp("stopped_at")));
    }

    private static List<UUID> uuids(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).map(o -> (UUID) o).toList();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
