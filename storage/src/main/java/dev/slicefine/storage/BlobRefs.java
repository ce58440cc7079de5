package dev.slicefine.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reference counts of blobs, kept in the {@code blobs} table. Every change to one blob's count and every
 * publish or delete of its file happens under a PostgreSQL advisory lock on its hash, so an upload that
 * reuses a blob can never race with the deletion of its last reference.
 */
public class BlobRefs {
    private static final Logger log = LoggerFactory.getLogger(BlobRefs.class);

    private final JdbcClient jdbc;
    private final BlobStore store;
    private final TransactionTemplate tx;

    public BlobRefs(JdbcClient jdbc, BlobStore store, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.store = store;
        this.tx = tx;
    }

    /** Publishes the candidates and adds one reference each, in the caller's transaction (hash order: no deadlocks). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void acquireAll(List<BlobCandidate> candidates) {
        candidates.stream().sorted(Comparator.comparing(BlobCandidate::sha256)).forEach(this::acquire);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void acquire(BlobCandidate candidate) {
        lock(candidate.sha256());
        try {
            store.publish(candidate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A create that fails after this (a bad name, a deleted parent) must not leave the published file behind.
        String sha256 = candidate.sha256();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    collect(sha256);
                }
            }
        });
        jdbc.sql("""
                INSERT INTO blobs (sha256, size, ref_count) VALUES (:sha, :size, 1)
                ON CONFLICT (sha256) DO UPDATE SET ref_count = blobs.ref_count + 1""")
                .param("sha", candidate.sha256()).param("size", candidate.size()).update();
    }

    /** Drops one reference; the file goes once the transaction that dropped the last one has committed. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void release(String sha256) {
        lock(sha256);
        Optional<Integer> left = jdbc.sql("UPDATE blobs SET ref_count = ref_count - 1 WHERE sha256 = :sha RETURNING ref_count")
                .param("sha", sha256).query(Integer.class).optional();
        if (left.isPresent() && left.get() == 0) {
            jdbc.sql("DELETE FROM blobs WHERE sha256 = :sha AND ref_count = 0").param("sha", sha256).update();
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    collect(sha256);
                }
            });
        }
    }

    public Optional<Integer> refCount(String sha256) {
        return jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = :sha").param("sha", sha256).query(Integer.class).optional();
    }

    /** Deletes the blob's file if no row references it (re-checked under the lock). */
    public boolean collect(String sha256) {
        Boolean deleted = tx.execute(status -> {
            lock(sha256);
            boolean referenced = jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = :sha").param("sha", sha256)
                    .query(Integer.class).single() > 0;
            if (referenced) {
                return false;
            }
            try {
                store.delete(sha256);
            } catch (IOException e) {
                log.warn("Could not delete blob {}: {}", sha256, e.toString());
                return false;
            }
            return true;
        });
        return Boolean.TRUE.equals(deleted);
    }

    /** Deletes every file without a row: left by a crash between publish and commit. */
    public int collectOrphans() {
        int deleted = 0;
        try (var hashes = store.list()) {
            for (String sha : (Iterable<String>) hashes::iterator) {
                if (collect(sha)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deleted;
    }

    private void lock(String sha256) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:sha, 0))").param("sha", sha256).query().singleRow();
    }
}
