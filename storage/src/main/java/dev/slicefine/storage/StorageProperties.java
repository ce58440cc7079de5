package dev.slicefine.storage;

import java.net.URI;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code slicefine.storage.*}: where blobs live. {@code filesystem} (default): {@code dir}, default
 * {@code <data-dir>/blobs}, shared by every process through one file system. {@code s3}: a bucket on any
 * S3-compatible server; each process keeps a local cache of the blobs it reads as files ({@code s3.cache-dir}, default
 * {@code <data-dir>/blob-cache}), bounded by {@code cache-bytes} (0, the default: unbounded; past it the least recently
 * used copies not in use are deleted, see {@link BlobCache}).
 */
@ConfigurationProperties("slicefine.storage")
public record StorageProperties(@DefaultValue("filesystem") Type type, Path dir, @DefaultValue S3 s3,
                                @DefaultValue("0") DataSize cacheBytes) {

    public enum Type { filesystem, s3 }

    public Path dir(Path dataDir) {
        return dir != null ? dir : dataDir.resolve("blobs");
    }

    public record S3(
            /** Empty: AWS for the region. MinIO, Ceph RGW, Garage, SeaweedFS, R2 ...: their URL. */
            URI endpoint,
            @DefaultValue("us-east-1") String region,
            String bucket,
            /** http://host/bucket/key instead of http://bucket.host/key (most non-AWS servers want it). */
            @DefaultValue("false") boolean pathStyle,
            /** Key prefix of every blob (the key is prefix + sha256). */
            @DefaultValue("blobs/") String prefix,
            /** Blobs larger than this are uploaded in parts of this size (S3's minimum part is 5MB). */
            @DefaultValue("64MB") DataSize partSize,
            /** Create the bucket at start when it does not exist (local servers; needs the permission). */
            @DefaultValue("false") boolean createBucket,
            /** Local copies of blobs read as files; default {@code <data-dir>/blob-cache}. */
            Path cacheDir) {}
}
