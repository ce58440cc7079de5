package dev.slicefine.api.datasets;

import dev.slicefine.api.common.Folders;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A dataset's blob linked into a temporary folder under the name the engine's reader picks its format by
 * ({@code data.jsonl}, {@code data.csv}, {@code data.zip}); closing deletes the folder, never the blob.
 */
final class LinkedDataset implements AutoCloseable {
    private final Path dir;
    private final Path file;

    private LinkedDataset(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
    }

    static LinkedDataset of(BlobStore store, DatasetView dataset, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path dir = Files.createTempDirectory(tmpDir, "dataset-");
        try {
            Path file = Files.createSymbolicLink(dir.resolve("data" + dataset.format().extension()),
                    store.localFile(dataset.sha256()));
            return new LinkedDataset(dir, file);
        } catch (IOException | RuntimeException e) {
            Folders.deleteTree(dir);
            throw e;
        }
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        Folders.deleteTree(dir);
    }
}
