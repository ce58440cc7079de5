package dev.slicefine.worker;

import dev.slicefine.engine.ComputeDevice;
import java.util.Collection;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * This JVM's rows in the {@code workers} table: a pool registers at start (with its resolved device), rewrites its
 * row at every heartbeat (the jobs it runs now), marks it stopped on a graceful shutdown, and stamps each job it claims
 * with its device and worker id. What operators and {@code GET /v1/workers} see; leases, not this table, decide who
 * owns a job.
 */
public class WorkerRegistry {
    /** Rows of workers that stopped or went silent this long ago are deleted when a worker registers. */
    static final int KEEP_DAYS = 7;
    private static final String VERSION = version();

    private final JdbcClient jdbc;
    private final ComputeDevice setting;
    private volatile ComputeDevice device;

    public WorkerRegistry(JdbcClient jdbc, ComputeDevice setting) {
        this.jdbc = jdbc;
        this.setting = setting;
    }

    /**
     * The device this JVM's jobs train on: {@code slicefine.worker.device} resolved against libtorch (once). A GPU
     * that is not there is an {@link IllegalStateException} naming the setting.
     */
    public ComputeDevice device() {
        ComputeDevice d = device;
        if (d == null) {
            synchronized (this) {
                if (device == null) {
                    try {
                        device = setting.resolve();
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException("slicefine.worker.device=" + setting + ": " + e.getMessage(), e);
                    }
                }
                d = device;
            }
        }
        return d;
    }

    /** Registers (or re-registers) pool {@code id} as running with {@code threads} workers on {@link #device()}. */
    public void register(String id, String host, int threads) {
        String resolved = device().toString();
        jdbc.sql("""
                DELETE FROM workers WHERE heartbeat_at < now() - make_interval(days => :days)""")
                .param("days", KEEP_DAYS).update();
        jdbc.sql("""
                INSERT INTO workers (id, host, pid, device, version, threads, state, running_jobs, started_at, heartbeat_at)
                VALUES (:id, :host, :pid, :device, :version, :threads, 'running', '{}', now(), now())
                ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, device = excluded.device,
                    version = excluded.version, threads = excluded.threads, state = 'running', running_jobs = '{}',
                    started_at = now(), heartbeat_at = now(), stopped_at = NULL""")
                .param("id", id).param("host", host).param("pid", ProcessHandle.current().pid()).param("device", resolved)
                .param("version", VERSION).param("threads", threads).update();
    }

    /** The heartbeat: alive now, running {@code jobs}. Re-creates the row if someone deleted it. */
    public void beat(String id, String host, int threads, Collection<UUID> jobs) {
        int n = jdbc.sql("""
                UPDATE workers SET heartbeat_at = now(), running_jobs = :jobs, state = 'running', stopped_at = NULL
                WHERE id = :id""")
                .param("jobs", jobs.toArray(UUID[]::new)).param("id", id).update();
        if (n == 0) {
            register(id, host, threads);
        }
    }

    /** Stamps a job this pool just claimed with the device and the worker it runs on. */
    public void claimed(UUID job, String id) {
        jdbc.sql("UPDATE jobs SET device = :device, worker_id = :worker WHERE id = :id")
                .param("device", device().toString()).param("worker", id).param("id", job).update();
    }

    /** A graceful stop: the row stays, as stopped, with no running jobs. */
    public void stopped(String id) {
        jdbc.sql("""
                UPDATE workers SET state = 'stopped', stopped_at = now(), heartbeat_at = now(), running_jobs = '{}'
                WHERE id = :id""").param("id", id).update();
    }

    private static String version() {
        String v = WorkerRegistry.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
