package dev.slicefine.api.models;

import dev.slicefine.api.common.Folders;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's files as a Hugging Face folder for the engine: symbolic links to the blob files, so a 1 GB checkpoint
 * costs no copy. The folder is temporary; close it to delete the links (never the blobs).
 */
public final class ModelDirs implements AutoCloseable {
    private final Path dir;

    private ModelDirs(Path dir) {
        this.dir = dir;
    }

    public static ModelDirs materialise(List<ModelFileView> files, BlobStore store, Path tmpRoot) {
        try {
            Files.createDirectories(tmpRoot);
            Path dir = Files.createTempDirectory(tmpRoot, "model-");
            for (ModelFileView f : files) {
                Path target = dir.resolve(f.path()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IllegalStateException("unsafe model file path " + f.path());
                }
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, store.localFile(f.sha256()).toAbsolutePath());
            }
            return new ModelDirs(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path() {
        return dir;
    }

    @Override
    public void close() {
        Folders.deleteTree(dir);
    }
}
