package dev.slicefine.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The blob store contract on the filesystem store. */
class FileSystemBlobStoreContractTest extends BlobStoreContract {
    private static Path root;
    private static FileSystemBlobStore store;

    @BeforeAll
    static void open() throws IOException {
        root = Files.createTempDirectory("slicefine-fs-blobs");
        store = new FileSystemBlobStore(root);
    }

    @AfterAll
    static void clean() throws IOException {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected BlobStore store() {
        return store;
    }

    @Override
    protected int largeBlobSize() {
        return 5 * 1024 * 1024 + 17;
    }
}
