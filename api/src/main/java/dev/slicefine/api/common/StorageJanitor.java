package dev.slicefine.api.common;

import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Before the server takes requests: drops what a crash left half-written (temporary files, unreferenced blobs). */
@Component
class StorageJanitor {
    private static final Logger log = LoggerFactory.getLogger(StorageJanitor.class);

    private final BlobStore store;
    private final BlobRefs refs;
    private final SliceFineProperties properties;

    StorageJanitor(BlobStore store, BlobRefs refs, SliceFineProperties properties) {
        this.store = store;
        this.refs = refs;
        this.properties = properties;
    }

    @PostConstruct
    void clean() throws IOException {
        store.removeTemporaryFiles();
        Path tmp = properties.tmpDir();
        if (Files.exists(tmp)) {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(tmp)).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(tmp);
        Files.createDirectories(properties.uploadDir());
        int orphans = refs.collectOrphans();
        if (orphans > 0) {
            log.info("Deleted {} unreferenced blob(s) left by an interrupted upload", orphans);
        }
    }
}
