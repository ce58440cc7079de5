package dev.slicefine.api.artifacts;

import dev.slicefine.api.common.Folders;
import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.jobs.JobService;
import dev.slicefine.api.jobs.JobStatus;
import dev.slicefine.api.jobs.JobView;
import dev.slicefine.api.models.ModelDirs;
import dev.slicefine.api.models.ModelFileView;
import dev.slicefine.storage.Archives;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.api.files.ArchiveReader;
import dev.slicefine.api.files.FileRules;
import dev.slicefine.engine.artifact.Merger;
import dev.slicefine.engine.artifact.PeftExporter;
import dev.slicefine.engine.io.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import dev.slicefine.api.models.ModelService;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Service;

/**
 * A succeeded job's artifacts. The worker stores the slice diff; the merged checkpoint and the PEFT adapter are made
 * from it on first request (one at a time per job and kind: concurrent first requests wait for the same result),
 * zipped, stored as a blob and recorded as an artifacts row, so later downloads are plain file reads with a stable
 * ETag. A tar of the diff is cached the same way, recorded in the diff row's metadata.
 */
@Service
public class ArtifactService {
    private static final Logger log = LoggerFactory.getLogger(ArtifactService.class);

    /** A blob to send. */
    record Download(Path file, String sha256, long size, String filename) {}

    private final ArtifactRepository artifacts;
    private final JobService jobs;
    private final BlobStore store;
    private final BlobRefs refs;
    private final ModelService models;
    private final TransactionTemplate tx;
    private final SliceFineProperties properties;
    /** Striped locks: a job's merged/PEFT/tar is built once per api; unrelated builds rarely share a stripe. */
    private final Object[] building = new Object[64];

    ArtifactService(ArtifactRepository artifacts, JobService jobs, BlobStore store, BlobRefs refs, ModelService models,
                    TransactionTemplate tx, SliceFineProperties properties) {
        this.artifacts = artifacts;
        this.jobs = jobs;
        this.store = store;
        this.refs = refs;
        this.models = models;
        this.tx = tx;
        this.properties = properties;
        java.util.Arrays.setAll(building, i -> new Object());
    }

    List<ArtifactView> list(Caller caller, UUID jobId) {
        jobs.get(caller, jobId);
        return artifacts.findByJobIdOrderByCreatedAtAscKindAsc(jobId).stream().map(a -> a.view()).toList();
    }

    Download diff(Caller caller, UUID jobId, String format) {
        JobView job = succeeded(caller, jobId);
        ArtifactView diff = find(job.id(), "diff").orElseThrow(() -> notReady(job));
        FileRules.ArchiveKind stored = FileRules.archiveKind(diff.filename());
        FileRules.ArchiveKind wanted = "tar".equals(format) ? FileRules.ArchiveKind.TAR : FileRules.ArchiveKind.ZIP;
        String base = "job-" + job.id() + "-diff";
        if (stored == wanted) {
            return download(diff.sha256(), diff.size(), base + "." + wanted.format);
        }
        String key = wanted.format + "_variant";
        synchronized (lock(job.id() + "/" + key)) {
            ArtifactView current = find(job.id(), "diff").orElseThrow();
            if (current.metadata() != null && current.metadata().has(key)) {
                var v = current.metadata().get(key);
                return download(v.get("sha256").asString(), v.get("size").asLong(), base + "." + wanted.format);
            }
            Path work = tempDir("diff-");
            try {
                Path diffDir = unpack(diff, work.resolve("diff"));
                Path out = work.resolve("out." + wanted.format);
                if (wanted == FileRules.ArchiveKind.TAR) {
                    Archives.tar(diffDir, out);
                } else {
                    Archives.zip(diffDir, out);
                }
                BlobCandidate blob = store.importFile(out);
                tx.executeWithoutResult(s -> {
                    refs.acquire(blob);
                    if (artifacts.addVariant(current.id(), key, blob.sha256(), blob.size()) == 0) {
                        refs.release(blob.sha256());
                    }
                });
                return download(blob.sha256(), blob.size(), base + "." + wanted.format);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                Folders.deleteTree(work);
            }
        }
    }

    /** kind: merged or peft. */
    Download derived(Caller caller, UUID jobId, String kind) {
        JobView job = succeeded(caller, jobId);
        String method = job.config() == null ? "slicefine" : job.config().path("method").asString("slicefine");
        if ((method.equals("lora") && kind.equals("peft")) || method.equals("full")) {
            // The worker stores these runs' results whole: a LoRA run's artifact is already a PEFT adapter, a full
            // run's is already the complete checkpoint. A LoRA run's merged checkpoint is made below like a diff's
            // (the engine's merge reads an adapter folder as well as a slice diff).
            if (method.equals("full") && kind.equals("peft")) {
                throw ApiException.conflict("peft_not_exact",
                        "A full fine-tune changed whole tensors: no LoRA adapter encodes it exactly; download /artifacts/merged");
            }
            ArtifactView diff = find(job.id(), "diff").orElseThrow(() -> notReady(job));
            return download(diff.sha256(), diff.size(), "job-" + job.id() + "-" + kind + ".zip");
        }
        var existing = find(job.id(), kind);
        if (existing.isPresent()) {
            return download(existing.get());
        }
        synchronized (lock(job.id() + "/" + kind)) {
            existing = find(job.id(), kind);
            if (existing.isPresent()) {
                return download(existing.get());
            }
            ArtifactView diff = find(job.id(), "diff").orElseThrow(() -> notReady(job));
            if (job.modelId() == null) {
                throw ApiException.conflict("model_deleted", "The base model of job " + job.id()
                        + " was deleted; only the diff can be downloaded");
            }
            List<ModelFileView> files = models.files(job.modelId());
            Path work = tempDir(kind + "-");
            long started = System.nanoTime();
            try (ModelDirs model = ModelDirs.materialise(files, store, work.resolve("models"))) {
                Path diffDir = unpack(diff, work.resolve("diff"));
                Path out = work.resolve("out");
                try {
                    if (kind.equals("merged")) {
                        Merger.merge(model.path(), diffDir, out);
                    } else {
                        // The adapter names its base by the model's name, never by a server path.
                        PeftExporter.export(model.path(), diffDir, out, models.name(job.modelId()).orElse("model"));
                    }
                } catch (CheckpointException e) {
                    if (kind.equals("peft")) {
                        throw ApiException.conflict("peft_not_exact", "This diff cannot be encoded exactly as a LoRA adapter: "
                                + e.getMessage());
                    }
                    throw new ApiException(HttpStatus.CONFLICT, "merge_failed", "The diff cannot be merged: " + e.getMessage());
                }
                Path zip = work.resolve(kind + ".zip");
                Archives.zip(out, zip);
                BlobCandidate blob = store.importFile(zip);
                String filename = "job-" + job.id() + "-" + kind + ".zip";
                UUID id = UUID.randomUUID();
                tx.executeWithoutResult(s -> {
                    refs.acquire(blob);
                    if (artifacts.insert(id, job.id(), kind, blob.sha256(), blob.size(), filename) == 0) {
                        refs.release(blob.sha256()); // another api process stored it first
                    }
                });
                log.info("Made the {} artifact of job {} ({} bytes) in {} ms", kind, job.id(), blob.size(),
                        (System.nanoTime() - started) / 1_000_000);
                return download(find(job.id(), kind).orElseThrow());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                Folders.deleteTree(work);
            }
        }
    }

    private Object lock(String key) {
        return building[Math.floorMod(key.hashCode(), building.length)];
    }

    private JobView succeeded(Caller caller, UUID jobId) {
        JobView job = jobs.get(caller, jobId);
        if (job.status() != JobStatus.succeeded) {
            throw notReady(job);
        }
        return job;
    }

    private static ApiException notReady(JobView job) {
        return ApiException.conflict("artifact_not_ready", "Job " + job.id() + " is " + job.status()
                + "; artifacts exist once it has succeeded");
    }

    private Download download(ArtifactView a) {
        return download(a.sha256(), a.size(), a.filename());
    }

    private Download download(String sha256, long size, String filename) {
        return new Download(store.localFile(sha256), sha256, size, filename);
    }

    private Path tempDir(String prefix) {
        try {
            Files.createDirectories(properties.tmpDir());
            return Files.createTempDirectory(properties.tmpDir(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A succeeded job's stored result (a slice diff, or a full run's checkpoint) unpacked into {@code dir}, for
     * predictions; the caller has checked the job's tenant. Empty when the job has no result.
     */
    public java.util.Optional<Path> unpackResult(UUID jobId, Path dir) throws IOException {
        var diff = find(jobId, "diff");
        return diff.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(unpack(diff.get(), dir));
    }

    /** Unpacks the diff blob (zip, tar or tar.gz, by its file name) into {@code dir}; a bare folder prefix is dropped. */
    private Path unpack(ArtifactView diff, Path dir) throws IOException {
        FileRules.ArchiveKind kind = FileRules.archiveKind(diff.filename());
        if (kind == null) {
            throw new IllegalStateException("diff artifact " + diff.filename() + " is not an archive");
        }
        Files.createDirectories(dir);
        new ArchiveReader(properties.archive()).read(store.localFile(diff.sha256()), kind, diff.filename(), (path, in) -> {
            Path target = dir.resolve(path.contains("/") ? path.substring(path.lastIndexOf('/') + 1) : path);
            try (InputStream content = in) {
                Files.copy(content, target);
            }
        });
        return dir;
    }

    private Optional<ArtifactView> find(UUID jobId, String kind) {
        return artifacts.findByJobIdAndKind(jobId, kind).map(a -> a.view());
    }
}
