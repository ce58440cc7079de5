package dev.slicefine.api.datasets;

/** One problem: {@code line} (1-based) for text formats, {@code entry} for archive members. */
public record DatasetError(Long line, String entry, String code, String message) {}
