package dev.slicefine.worker.run;

import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.ClaimedJob;
import dev.slicefine.worker.jobs.JobQueue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import dev.slicefine.engine.data.DatasetFields;

/**
 * The input step: materialises a claimed job's model and datasets from storage into its work dir (hard links where the
 * file system allows) and restores its checkpoint when this attempt resumes one.
 */
final class JobInputs {
    private final BlobStore store;
    private final JobQueue queue;
    private final JobCheckpoints checkpoints;

    JobInputs(BlobStore store, JobQueue queue, JobCheckpoints checkpoints) {
        this.store = store;
        this.queue = queue;
        this.checkpoints = checkpoints;
    }

    /** Where the engine finds what it trains on; {@code eval} is null without a validation dataset. */
    record Inputs(Path model, Path dataset, Path eval, Path checkpointDir, DatasetFields fields, DatasetFields evalFields) {}

    /** A dataset file in the work dir and the field names it was uploaded with (the engine reads those). */
    record Materialised(Path file, DatasetFields fields) {}

    Inputs materialise(ClaimedJob job, Path work) throws IOException {
        Path model = materialiseModel(job, work.resolve("model"));
        Materialised dataset = materialiseDataset(job.datasetId(), work.resolve("data"), "train", "dataset");
        Materialised eval = job.evalDatasetId() == null ? null
                : materialiseDataset(job.evalDatasetId(), work.resolve("data"), "eval", "eval dataset");
        Path checkpointDir = work.resolve("checkpoints");
        checkpoints.restoreCheckpoint(job, checkpointDir);
        return new Inputs(model, dataset.file(), eval == null ? null : eval.file(), checkpointDir, dataset.fields(),
                eval == null ? null : eval.fields());
    }

    Path materialiseModel(ClaimedJob job, Path dir) throws IOException {
        if (job.modelId() == null) {
            throw new JobFailure("input_missing", "the job's model was deleted", false);
        }
        List<JobQueue.ModelFile> files = queue.modelFiles(job.modelId());
        if (files.isEmpty()) {
            throw new JobFailure("input_missing", "model " + job.modelId() + " has no files", false);
        }
        Files.createDirectories(dir);
        for (JobQueue.ModelFile f : files) {
            Path target = dir.resolve(f.path()).normalize();
            if (!target.startsWith(dir)) {
                throw new JobFailure("model_invalid", "model file path escapes the model folder: " + f.path(), false);
            }
            Files.createDirectories(target.getParent());
            copyBlob(f.sha256(), target);
        }
        return dir;
    }

    Materialised materialiseDataset(UUID id, Path dir, String base, String what) throws IOException {
        if (id == null) {
            throw new JobFailure("input_missing", "the job's " + what + " was deleted", false);
        }
        JobQueue.DatasetBlob row = queue.dataset(id)
                .orElseThrow(() -> new JobFailure("input_missing", "the job's " + what + " was deleted", false));
        Files.createDirectories(dir);
        Path target = dir.resolve(base + extension(row.filename(), row.format()));
        copyBlob(row.sha256(), target);
        return new Materialised(target, row.fields());
    }

    /** The original file's extension (the engine picks its reader by it), else the one its format implies. */
    static String extension(String filename, String format) {
        String lower = filename == null ? "" : filename.toLowerCase(java.util.Locale.ROOT);
        for (String ext : List.of(".tar.gz", ".jsonl", ".csv", ".zip", ".tar", ".tgz")) {
            if (lower.endsWith(ext)) {
                return ext;
            }
        }
        return switch (format) {
            case "csv" -> ".csv";
            case "imagefolder" -> ".zip";
            default -> ".jsonl";
        };
    }

    /** A hard link to the blob where the file system allows it (models are large), else a copy. */
    private void copyBlob(String sha, Path target) throws IOException {
        Files.deleteIfExists(target);
        if (!store.exists(sha)) {
            throw new JobFailure("storage_error", "blob " + sha + " is missing from storage", true);
        }
        try {
            Files.createLink(target, store.localFile(sha));
        } catch (IOException | UnsupportedOperationException e) {
            try (InputStream in = store.open(sha)) {
                Files.copy(in, target);
            }
        }
    }
}
