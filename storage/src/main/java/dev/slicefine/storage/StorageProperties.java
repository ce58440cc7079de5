package dev.slicefine.storage;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code slicefine.storage.*}: where blobs live. */
@ConfigurationProperties("slicefine.storage")
public record StorageProperties(
        /** The filesystem store's root; default {@code <slicefine.data-dir>/blobs}. */
        Path dir) {

    public Path dir(Path dataDir) {
        return dir != null ? dir : dataDir.resolve("blobs");
    }
}
