package dev.slicefine.api.jobs;

/** validating -> queued -> running -> succeeded | failed | cancelled (the CHECK on jobs.status). */
public enum JobStatus {
    validating, queued, running, succeeded, failed, cancelled;

    public boolean terminal() {
        return this == succeeded || this == failed || this == cancelled;
    }
}
