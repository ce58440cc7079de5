package dev.slicefine.worker.jobs;

/** One bad field of a job config: its JSON path ({@code slicefine.rank}) and a sentence saying what is wrong. */
public record FieldError(String field, String message) {}
