package dev.slicefine.api.common;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Everything under {@code slicefine.*}; the data dir holds postgres/, blobs/, uploads/ and tmp/. */
@ConfigurationProperties("slicefine")
public record SliceFineProperties(
        @DefaultValue("./data") Path dataDir,
        String adminKey,
        @DefaultValue Upload upload,
        @DefaultValue Archive archive,
        @DefaultValue Validation validation,
        @DefaultValue Jobs jobs) {

    public record Jobs(
            /**
             * An Idempotency-Key stops meaning its job after this long (as Stripe's do): the same key then creates a
             * new job.
             */
            @DefaultValue("24h") Duration idempotencyTtl) {}

    public record Upload(
            /** Largest request body (or resumable upload) accepted. */
            @DefaultValue("20GB") DataSize maxBytes,
            /** Resumable uploads not touched for this long are deleted. */
            @DefaultValue("24h") Duration resumableExpiry) {}

    /** Limits against archive bombs; checked on declared and on actual sizes. */
    public record Archive(
            @DefaultValue("10000") int maxEntries,
            @DefaultValue("40GB") DataSize maxTotalUncompressed,
            /** Largest uncompressed/compressed ratio for entries bigger than {@code ratioMinBytes}. */
            @DefaultValue("200") int maxCompressionRatio,
            @DefaultValue("1MB") DataSize ratioMinBytes) {}

    public record Validation(
            @DefaultValue("2") int threads,
            /** Errors kept in a report; further errors are only counted. */
            @DefaultValue("100") int maxReportedErrors,
            /** Pause before a validation starts; only tests set it (to stop a server mid-validation). */
            @DefaultValue("0s") Duration startDelay) {}

    public Path blobDir() { return dataDir.resolve("blobs"); }
    public Path uploadDir() { return dataDir.resolve("uploads"); }
    public Path tmpDir() { return dataDir.resolve("tmp"); }
    public Path postgresDir() { return dataDir.resolve("postgres"); }
}
