package dev.slicefine.worker;

import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * N worker threads in this JVM, each claiming and running one job at a time, plus the heartbeat scheduler and the
 * lease reaper. A plain lifecycle ({@link #start()}/{@link #stop()}), also a Spring {@link SmartLifecycle}: on stop,
 * running jobs are asked to stop, write a checkpoint and go back to the queue.
 */
public class WorkerPool implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    /**
     * DJL's PyTorch gradient collector is JVM-wide: only one can be collecting at a time, so only one job per JVM
     * trains at once. A worker takes this slot before it claims, so a job is never claimed only to wait; scale out
     * with more worker JVMs (standalone workers), not with threads.
     */
    private static final Semaphore TRAINING_SLOT = new Semaphore(1, true);

    private final JobQueue queue;
    private final JobRunner runner;
    private final int count;
    private final Duration lease;
    private final Duration poll;
    private final Duration reaperInterval;
    private final String name;
    private final String host;
    /** The workers table's view of this pool; null in tests that run pools without it. */
    private final WorkerRegistry registry;
    private final Duration heartbeat;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    /** Worker thread -> the job it runs. */
    private final java.util.Map<Thread, java.util.UUID> runningJobs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile boolean stopping;
    private ScheduledExecutorService scheduler;

    public WorkerPool(JobQueue queue, JobRunner runner, WorkerProperties properties, WorkerRegistry registry) {
        this(queue, runner, properties.worker().count(), properties.worker().lease(), properties.worker().poll(),
                properties.worker().reaperInterval(), registry, properties.worker().heartbeat());
    }

    public WorkerPool(JobQueue queue, JobRunner runner, int count, Duration lease, Duration poll, Duration reaperInterval) {
        this(queue, runner, count, lease, poll, reaperInterval, null, Duration.ofSeconds(2));
    }

    /** With {@code registry}: registered in the workers table at start, every {@code heartbeat} and at stop. */
    public WorkerPool(JobQueue queue, JobRunner runner, int count, Duration lease, Duration poll, Duration reaperInterval,
                      WorkerRegistry registry, Duration heartbeat) {
        if (count < 1) {
            throw new IllegalArgumentException("slicefine.worker.count must be at least 1, got " + count);
        }
        this.queue = queue;
        this.runner = runner;
        this.count = count;
        this.lease = lease;
        this.poll = poll;
        this.reaperInterval = reaperInterval;
        this.host = host();
        this.name = host + ":" + ProcessHandle.current().pid() + ":pool" + POOLS.incrementAndGet();
        this.registry = registry;
        this.heartbeat = heartbeat;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (registry != null) {
            // resolves slicefine.worker.device first: a GPU that is not there stops the start here, with its reason
            registry.register(name, host, count);
        }
        running = true;
        stopping = false;
        scheduler = Executors.newScheduledThreadPool(Math.max(2, count), r -> {
            Thread t = new Thread(r, "slicefine-heartbeat");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::reap, 0, reaperInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (registry != null) {
            scheduler.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (int i = 1; i <= count; i++) {
            String owner = name + ":w" + i;
            // Not daemon: a standalone worker's JVM lives as long as its workers.
            Thread t = new Thread(() -> loop(owner), "slicefine-worker-" + i);
            threads.add(t);
            t.start();
        }
        log.info("Worker pool {} started: {} worker(s), lease {}{}", name, count, lease,
                registry != null ? ", device " + registry.device() : "");
        if (count > 1) {
            log.warn("slicefine.worker.count={}: workers in one JVM take turns training (DJL trains one model per JVM at"
                    + " a time); run more worker processes to train jobs in parallel", count);
        }
    }

    private void loop(String owner) {
        while (running) {
            Optional<ClaimedJob> job = Optional.empty();
            try {
                if (!TRAINING_SLOT.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                continue;
            }
            try {
                job = running ? queue.claim(owner, lease) : Optional.empty();
                if (job.isPresent()) {
                    busy.incrementAndGet();
                    runningJobs.put(Thread.currentThread(), job.get().id());
                    stamp(job.get());
                    // stop() interrupts only idle workers; a stray interrupt must not break this job's JDBC calls.
                    Thread.interrupted();
                    try {
                        log.info("{} runs job {} (attempt {})", owner, job.get().id(), job.get().attempt());
                        runner.run(job.get(), scheduler, () -> stopping);
                    } finally {
                        runningJobs.remove(Thread.currentThread());
                        busy.decrementAndGet();
                    }
                }
            } catch (VirtualMachineError e) {
                throw e; // out of memory or a broken JVM: this thread ends; the lease expires and the job resumes elsewhere
            } catch (Throwable e) {
                // an Error from a job (e.g. a class that no longer loads) must not end this worker thread silently
                log.error("{}: {}", owner, e.toString(), e);
            } finally {
                TRAINING_SLOT.release();
            }
            if (job.isEmpty()) {
                sleep(poll);
            }
        }
    }

    /** The job's device and worker, for the job view: informational, so a failure only costs a log line. */
    private void stamp(ClaimedJob job) {
        if (registry != null) {
            try {
                registry.claimed(job.id(), name);
            } catch (RuntimeException e) {
                log.warn("Job {}: cannot record its device and worker: {}", job.id(), e.toString());
            }
        }
    }

    private void beat() {
        try {
            registry.beat(name, host, count, List.copyOf(runningJobs.values()));
        } catch (RuntimeException e) {
            log.warn("Worker heartbeat: {}", e.toString());
        }
    }

    private void reap() {
        try {
            queue.reapExpiredLeases();
        } catch (RuntimeException e) {
            log.warn("Lease reaper: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        List<Thread> toJoin;
        synchronized (this) {
            if (!running) {
                return;
            }
            stopping = true;
            running = false;
            toJoin = new ArrayList<>(threads);
            threads.clear();
        }
        // Idle workers wake up now; busy ones see stopping at the next step, checkpoint and requeue their job.
        for (Thread t : toJoin) {
            if (!runningJobs.containsKey(t)) {
                t.interrupt();
            }
        }
        for (Thread t : toJoin) {
            try {
                t.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.shutdownNow();
        if (registry != null) {
            try {
                registry.stopped(name);
            } catch (RuntimeException e) {
                log.warn("Worker pool {}: cannot mark it stopped: {}", name, e.toString());
            }
        }
        log.info("Worker pool {} stopped", name);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Jobs running in this pool right now. */
    public int busy() {
        return busy.get();
    }

    public String name() {
        return name;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            // stop() wakes the idle workers
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
