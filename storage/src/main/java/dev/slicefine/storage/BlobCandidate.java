package dev.slicefine.storage;

import java.nio.file.Path;

/** Bytes fully written and hashed to a temporary file, not yet visible as a blob. */
public record BlobCandidate(Path tempFile, String sha256, long size) {}
