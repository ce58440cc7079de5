package dev.slicefine.api.predictions;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.engine.predict.LoadedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Loaded models for predictions, least recently used first out, within a byte budget
 * ({@code slicefine.predict.cache-bytes}). Concurrent requests for one model share a single load. A model in use by a
 * request is never evicted; when the idle models cannot make room, the request is refused (503 + Retry-After) rather
 * than risking an out-of-memory: the budget counts every loaded model's weights and every load in flight.
 */
@Component
public class PredictionCache implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(PredictionCache.class);

    /** Opens what a load needs (model folder, diff) and says how many bytes the loaded model will hold. */
    public interface Loader {
        long estimateBytes();

        LoadedModel load();

        /** Deletes the temporary folders; called after the load, whatever happened. */
        void cleanup();
    }

    /** A model held for one request; close to let it be evicted again. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public LoadedModel model() {
            return entry.future.join();
        }

        @Override
        public void close() {
            synchronized (PredictionCache.this) {
                if (!closed) {
                    closed = true;
                    entry.users--;
                }
            }
        }
    }

    private static final class Entry {
        final String key;
        final CompletableFuture<LoadedModel> future = new CompletableFuture<>();
        long bytes;
        int users;

        Entry(String key, long bytes) {
            this.key = key;
            this.bytes = bytes;
        }
    }

    private final long budget;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private long loads;

    public PredictionCache(@Value("${slicefine.predict.cache-bytes:4GB}") DataSize budget) {
        this.budget = budget.toBytes();
    }

    /** The model under key, loaded by loader when absent. 503 predict_capacity when it cannot fit now. */
    public Lease acquire(String key, Loader loader) {
        Entry entry;
        boolean mine = false;
        List<Entry> evicted = new ArrayList<>();
        synchronized (this) {
            entry = entries.get(key);
            if (entry == null) {
                long bytes;
                try {
                    bytes = loader.estimateBytes();
                } catch (RuntimeException e) {
                    loader.cleanup();
                    throw e;
                }
                if (bytes > budget) {
                    loader.cleanup();
                    throw unavailable("model_too_large", "The model needs " + bytes + " bytes of memory, more than the prediction "
                            + "cache's budget of " + budget + " bytes (slicefine.predict.cache-bytes)", 60);
                }
                for (var it = entries.values().iterator(); it.hasNext() && used + bytes > budget; ) {
                    Entry old = it.next();
                    if (old.users == 0 && old.future.isDone()) {
                        it.remove();
                        used -= old.bytes;
                        evicted.add(old);
                    }
                }
                if (used + bytes > budget) {
                    loader.cleanup();
                    throw unavailable("predict_capacity", "The prediction cache is full of models in use; retry shortly", 5);
                }
                entry = new Entry(key, bytes);
                entries.put(key, entry);
                used += bytes;
                mine = true;
                loads++;
            }
            entry.users++;
        }
        for (Entry old : evicted) {
            log.info("Prediction cache: evicted {} ({} bytes)", old.key, old.bytes);
            old.future.join().close();
        }
        if (mine) {
            try {
                LoadedModel m = loader.load();
                synchronized (this) {
                    used += m.bytes() - entry.bytes; // the real size replaces the estimate
                    entry.bytes = m.bytes();
                }
                entry.future.complete(m);
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    entries.remove(key, entry);
                    used -= entry.bytes;
                    entry.users--;
                }
                entry.future.completeExceptionally(e);
                throw e;
            } finally {
                loader.cleanup();
            }
        } else {
            try {
                entry.future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release(entry);
                throw unavailable("predict_capacity", "interrupted while the model loaded", 5);
            } catch (ExecutionException e) {
                release(entry);
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        return new Lease(entry);
    }

    private synchronized void release(Entry e) {
        e.users--;
    }

    /** Bytes the loaded models hold now (and loads in flight). */
    public synchronized long usedBytes() {
        return used;
    }

    /** How many loads were started (a shared load counts once). */
    public synchronized long loads() {
        return loads;
    }

    /** Keys of the loaded models, least recently used first. */
    public synchronized List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    private static ApiException unavailable(String code, String message, int retryAfterSeconds) {
        return new RetryLater(code, message, retryAfterSeconds);
    }

    /** 503 with Retry-After. */
    public static final class RetryLater extends ApiException {
        private final int retryAfterSeconds;

        RetryLater(String code, String message, int retryAfterSeconds) {
            super(HttpStatus.SERVICE_UNAVAILABLE, code, message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    @Override
    public synchronized void destroy() {
        for (Entry e : entries.values()) {
            if (e.future.isDone() && !e.future.isCompletedExceptionally()) {
                e.future.join().close();
            }
        }
        entries.clear();
        used = 0;
    }
}
