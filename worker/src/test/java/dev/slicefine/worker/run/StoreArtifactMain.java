package dev.slicefine.worker.run;

import dev.slicefine.storage.Archives;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.storage.FileSystemBlobStore;
import java.nio.file.Path;

/**
 * Run by {@link LargeArtifactIT} in a JVM of its own: packs {@code args[0]} into the blob store at {@code args[1]}
 * exactly as the worker stores a job's artifact, publishes it and prints what it stored.
 */
public final class StoreArtifactMain {
    private StoreArtifactMain() {}

    public static void main(String[] args) throws Exception {
        BlobStore store = new FileSystemBlobStore(Path.of(args[1]));
        JobArtifacts.PackedArtifact packed = JobArtifacts.pack(store, Path.of(args[0]));
        store.publish(packed.blob());
        System.out.println("heap " + Runtime.getRuntime().maxMemory());
        System.out.println("blob " + packed.blob().sha256() + " " + packed.blob().size());
        for (Archives.Entry e : packed.files()) {
            System.out.println("entry " + e.path() + " " + e.size() + " " + e.sha256());
        }
    }
}
