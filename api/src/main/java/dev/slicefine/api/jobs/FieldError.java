package dev.slicefine.api.jobs;

/** One bad field of a job request: {@code field} is its JSON path ({@code train.batch_size}). */
public record FieldError(String field, String message) {}
