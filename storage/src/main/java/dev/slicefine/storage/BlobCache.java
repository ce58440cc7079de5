package dev.slicefine.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on a remote store's local copies ({@code slicefine.storage.cache-bytes}; 0 = unbounded): past it, the
 * least recently used blobs that are not in use are deleted (they are in the bucket; the next reader downloads them
 * again). In use: a stream this store opened and has not closed, a file hard-linked elsewhere (a job's work dir: the
 * space would not come back anyway), or a blob touched within the last {@code inUseFor} (a caller of
 * {@link BlobStore#localFile} gets that long to open, link or copy the path). Blobs are ordered by last use, seeded at
 * start from the files' modification times.
 */
final class BlobCache {
    private static final Logger log = LoggerFactory.getLogger(BlobCache.class);
    static final Duration IN_USE_FOR = Duration.ofMinutes(1);

    private record Entry(long size, long usedAt) {}

    private final FileSystemBlobStore local;
    private final long maxBytes;
    private final long inUseForNanos;
    /** sha256 -> size and last use, least recently used first. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> open = new HashMap<>();
    private long bytes;

    BlobCache(FileSystemBlobStore local, long maxBytes, Duration inUseFor) throws IOException {
        this.local = local;
        this.maxBytes = maxBytes;
        this.inUseForNanos = inUseFor.toNanos();
        List<Path> files = new ArrayList<>();
        try (Stream<String> hashes = local.list()) {
            hashes.forEach(h -> files.add(local.localFile(h)));
        }
        files.sort(Comparator.comparing(BlobCache::modified));
        long old = System.nanoTime() - inUseForNanos - 1;
        for (Path f : files) {
            long size = Files.size(f);
            entries.put(f.getFileName().toString(), new Entry(size, old));
            bytes += size;
        }
        evict(null);
    }

    /** Bytes of the local copies this cache knows. */
    synchronized long bytes() {
        return bytes;
    }

    /** The blob is local (just downloaded or written) or was used again: most recently used now, then trim. */
    synchronized void used(String sha256) {
        Entry e = entries.remove(sha256);
        long size;
        if (e != null) {
            size = e.size();
        } else {
            try {
                size = Files.size(local.localFile(sha256));
            } catch (IOException gone) {
                return;
            }
            bytes += size;
        }
        entries.put(sha256, new Entry(size, System.nanoTime()));
        evict(sha256);
    }

    /** True, and the blob used now, when it has a local copy (checked and marked under the eviction lock). */
    synchronized boolean useIfLocal(String sha256) {
        if (!entries.containsKey(sha256) && !local.exists(sha256)) {
            return false;
        }
        used(sha256);
        return true;
    }

    /** The local copy as a stream counted in use until closed, or null when there is none. */
    synchronized InputStream openIfLocal(String sha256, long offset, long length) throws IOException {
        if (!entries.containsKey(sha256) && !local.exists(sha256)) {
            return null;
        }
        InputStream in = length < 0 ? local.open(sha256) : local.openRange(sha256, offset, length);
        open.merge(sha256, 1, Integer::sum);
        used(sha256);
        return new FilterInputStream(in) {
            private boolean closed;

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    if (!closed) {
                        closed = true;
                        release(sha256);
                    }
                }
            }
        };
    }

    private synchronized void release(String sha256) {
        open.computeIfPresent(sha256, (k, n) -> n > 1 ? n - 1 : null);
        evict(null);
    }

    /** The blob was deleted (from the bucket and here). */
    synchronized void removed(String sha256) {
        Entry e = entries.remove(sha256);
        if (e != null) {
            bytes -= e.size();
        }
    }

    private void evict(String keep) {
        if (maxBytes <= 0 || bytes <= maxBytes) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<String, Entry> e : new ArrayList<>(entries.entrySet())) {
            if (bytes <= maxBytes) {
                return;
            }
            String sha = e.getKey();
            if (sha.equals(keep) || open.containsKey(sha) || now - e.getValue().usedAt() < inUseForNanos
                    || links(local.localFile(sha)) > 1) {
                continue;
            }
            try {
                local.delete(sha);
                entries.remove(sha);
                bytes -= e.getValue().size();
                log.debug("Blob cache: evicted {} ({} bytes)", sha, e.getValue().size());
            } catch (IOException ex) {
                log.warn("Blob cache: cannot evict {}: {}", sha, ex.toString());
            }
        }
        if (bytes > maxBytes) {
            log.debug("Blob cache: {} bytes over its bound of {}, all in use", bytes - maxBytes, maxBytes);
        }
    }

    private static int links(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:nlink")).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1;
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }
}
