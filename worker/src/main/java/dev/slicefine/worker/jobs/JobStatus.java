package dev.slicefine.worker.jobs;

import java.util.Locale;

/** The states of jobs.status. */
public enum JobStatus {
    VALIDATING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
