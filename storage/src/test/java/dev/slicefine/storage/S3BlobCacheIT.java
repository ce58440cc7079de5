package dev.slicefine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * slicefine.storage.cache-bytes: a reader's local copies of S3 blobs stay under the bound by deleting the least
 * recently used ones, never one that is in use (an open stream, a hard link in a work dir, the blob being read); an
 * evicted blob is downloaded again on its next use; a restart trims an oversized cache.
 */
class S3BlobCacheIT {
    private static final int SIZE = 100_000;
    private static Path dir;
    private static S3ProxyServer server;
    private static final List<String> blobs = new ArrayList<>();
    private static final List<byte[]> contents = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("slicefine-s3-cache");
        server = S3ProxyServer.start(dir);
        try (S3BlobStore writer = open(dir.resolve("writer-cache"), 0, true)) {
            for (int i = 0; i < 4; i++) {
                byte[] bytes = BlobStoreContract.randomBytes(SIZE);
                BlobCandidate c = writer.write(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
                writer.publish(c);
                blobs.add(c.sha256());
                contents.add(bytes);
            }
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static S3BlobStore open(Path cache, long cacheBytes, boolean create) throws IOException {
        return S3BlobStore.create(new StorageProperties.S3(server.endpoint(), "us-east-1", "slicefine-cache-test", true,
                "blobs/", DataSize.ofMegabytes(5), create, null), cache, server.credentials(), cacheBytes, Duration.ZERO);
    }

    private static boolean cached(Path cache, int i) {
        String sha = blobs.get(i);
        return Files.exists(cache.resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha));
    }

    @Test
    void leastRecentlyUsedCopiesGoFirstAndComeBackOnTheirNextUse() throws Exception {
        Path cache = tmp.resolve("cache");
        try (S3BlobStore store = open(cache, 250_000, false)) {
            store.localFile(blobs.get(0));
            store.localFile(blobs.get(1));
            assertThat(cached(cache, 0)).isTrue();
            store.localFile(blobs.get(2)); // 300 kB > 250 kB: the oldest goes
            assertThat(cached(cache, 0)).isFalse();
            assertThat(cached(cache, 1)).isTrue();
            assertThat(cached(cache, 2)).isTrue();
            try (InputStream in = store.open(blobs.get(1))) { // blob 1 used again: blob 2 is now the oldest
                assertThat(in.readAllBytes()).isEqualTo(contents.get(1));
            }
            store.localFile(blobs.get(3));
            assertThat(cached(cache, 2)).isFalse();
            assertThat(cached(cache, 1)).isTrue();
            assertThat(cached(cache, 3)).isTrue();
            // an evicted blob is simply downloaded again
            assertThat(Files.readAllBytes(store.localFile(blobs.get(0)))).isEqualTo(contents.get(0));
            assertThat(cached(cache, 1)).isFalse();
            assertThat(dirBytes(cache)).isLessThanOrEqualTo(250_000);
        }
    }

    @Test
    void blobsInUseAreNeverEvictedAndTheBoundHoldsAgainOnceTheyAreFree() throws Exception {
        Path cache = tmp.resolve("cache");
        Path work = Files.createDirectories(tmp.resolve("work"));
        try (S3BlobStore store = open(cache, 250_000, false)) {
            store.localFile(blobs.get(0));
            Files.createLink(work.resolve("model.safetensors"), store.localFile(blobs.get(1))); // a job's work dir
            InputStream reading = store.open(blobs.get(0)); // a download in progress
            store.localFile(blobs.get(2)); // over the bound, but 0 and 1 are in use and 2 is being read
            assertThat(cached(cache, 0)).isTrue();
            assertThat(cached(cache, 1)).isTrue();
            assertThat(cached(cache, 2)).isTrue();
            assertThat(reading.readAllBytes()).isEqualTo(contents.get(0));
            reading.close(); // blob 0 is free now, and the least recently used
            assertThat(cached(cache, 0)).isFalse();
            assertThat(cached(cache, 1)).as("still linked from the work dir").isTrue();
            assertThat(cached(cache, 2)).isTrue();
            assertThat(Files.readAllBytes(work.resolve("model.safetensors"))).isEqualTo(contents.get(1));
        }
    }

    @Test
    void aRestartTrimsAnOversizedCacheOldestFirst() throws Exception {
        Path cache = tmp.resolve("cache");
        try (S3BlobStore unbounded = open(cache, 0, false)) {
            for (int i = 0; i < 4; i++) {
                Path f = unbounded.localFile(blobs.get(i));
                Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(1_000_000L * (i + 1)));
            }
        }
        assertThat(dirBytes(cache)).isEqualTo(4L * SIZE);
        try (S3BlobStore bounded = open(cache, 250_000, false)) {
            assertThat(cached(cache, 0)).isFalse();
            assertThat(cached(cache, 1)).isFalse();
            assertThat(cached(cache, 2)).isTrue();
            assertThat(cached(cache, 3)).isTrue();
            assertThat(bounded.exists(blobs.get(0))).as("still in the bucket").isTrue();
        }
    }

    private static long dirBytes(Path cache) throws IOException {
        try (var files = Files.walk(cache)) {
            return files.filter(p -> Files.isRegularFile(p) && !p.toString().contains(".tmp")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
