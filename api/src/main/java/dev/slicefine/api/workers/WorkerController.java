package dev.slicefine.api.workers;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.worker.WorkerProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The worker processes of the deployment (embedded and standalone) with their device and the jobs they run: admin
 * keys only, since workers serve every tenant. A running worker is stale once its heartbeat is older than the lease.
 */
@RestController
@RequestMapping("/v1/workers")
@Tag(name = "Workers (admin)")
class WorkerController {
    private final WorkerQueries workers;
    private final Duration staleAfter;

    WorkerController(WorkerQueries workers, WorkerProperties properties) {
        this.workers = workers;
        this.staleAfter = staleAfter(properties);
    }

    /** The lease: a worker silent that long has lost its jobs to the reaper. */
    static Duration staleAfter(WorkerProperties properties) {
        return properties.worker().lease();
    }

    @GetMapping
    @Operation(summary = "List workers with device, heartbeat age and running jobs (admin key)")
    WorkerView.WorkerList list(Caller caller) {
        caller.requireAdmin();
        List<WorkerView> all = workers.list(staleAfter);
        int alive = (int) all.stream().filter(w -> w.state().equals("running") && !w.stale()).count();
        return new WorkerView.WorkerList(all, staleAfter.toSeconds(), alive);
    }
}
