package dev.slicefine.worker.run;

/** What the heartbeat learned about a running job; read by the training thread between steps. */
final class RunState {
    volatile boolean cancelRequested;
    volatile boolean leaseLost;
}
