package dev.slicefine.api.common;

/** Lifecycle of an uploaded model or dataset: checked asynchronously right after upload. */
public enum ValidationStatus {
    validating, ready, invalid
}
