package dev.slicefine.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects {@code <prefix><sha256>} in an S3 bucket, with the same content addressing as
 * {@link FileSystemBlobStore}; reference counts stay in the database ({@link BlobRefs}). Bytes are staged and cached
 * in a local {@link FileSystemBlobStore}: {@link #write} hashes into a local temporary file, {@link #publish} uploads
 * it (one PUT, or a multipart upload past {@code partSize}; S3 makes the object visible only once complete, so a
 * reader never sees a partial blob) and keeps it as the local copy; {@link #localFile} downloads a blob once, checks
 * its hash, and serves the local copy from then on (a blob never changes, so the cache is never stale). The local
 * copies are bounded by a {@link BlobCache} when a size is given.
 */
public class S3BlobStore implements BlobStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** S3's smallest part (all but the last). */
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final long partSize;
    private final FileSystemBlobStore local;
    private final BlobCache cache;

    public S3BlobStore(S3Client s3, String bucket, String prefix, long partSize, Path cacheDir) throws IOException {
        this(s3, bucket, prefix, partSize, cacheDir, 0, BlobCache.IN_USE_FOR);
    }

    /** cacheBytes: the bound on the local copies (0: none); inUseFor: how long a blob just used is never evicted. */
    S3BlobStore(S3Client s3, String bucket, String prefix, long partSize, Path cacheDir, long cacheBytes,
                java.time.Duration inUseFor) throws IOException {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("slicefine.storage.s3.bucket is required with slicefine.storage.type=s3");
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("slicefine.storage.s3.part-size must be at least 5MB, not " + partSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null ? "" : prefix;
        this.partSize = partSize;
        this.local = new FileSystemBlobStore(cacheDir);
        this.cache = new BlobCache(local, cacheBytes, inUseFor);
    }

    /** A client for the settings: path-style and endpoint for non-AWS servers, credentials from the SDK's default chain. */
    public static S3BlobStore create(StorageProperties.S3 settings, Path defaultCacheDir) throws IOException {
        return create(settings, defaultCacheDir, 0);
    }

    /** With the local copies bounded by {@code cacheBytes} (0: unbounded). */
    public static S3BlobStore create(StorageProperties.S3 settings, Path defaultCacheDir, long cacheBytes) throws IOException {
        return create(settings, defaultCacheDir, DefaultCredentialsProvider.builder().build(), cacheBytes, BlobCache.IN_USE_FOR);
    }

    static S3BlobStore create(StorageProperties.S3 settings, Path defaultCacheDir, AwsCredentialsProvider credentials)
            throws IOException {
        return create(settings, defaultCacheDir, credentials, 0, BlobCache.IN_USE_FOR);
    }

    static S3BlobStore create(StorageProperties.S3 settings, Path defaultCacheDir, AwsCredentialsProvider credentials,
                              long cacheBytes, java.time.Duration inUseFor) throws IOException {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // Checksums only where an operation requires them: many S3-compatible servers reject the SDK's
                // default trailing (aws-chunked) checksums. Integrity is checked end to end by the sha256 key.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null && !settings.endpoint().toString().isBlank()) {
            builder.endpointOverride(settings.endpoint());
        }
        S3Client client = builder.build();
        try {
            S3BlobStore store = new S3BlobStore(client, settings.bucket(), settings.prefix(), settings.partSize().toBytes(),
                    settings.cacheDir() != null ? settings.cacheDir() : defaultCacheDir, cacheBytes, inUseFor);
            store.checkBucket(settings.createBucket());
            return store;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void checkBucket(boolean create) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createBucket(create, e);
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            createBucket(create, e);
        }
    }

    private void createBucket(boolean create, S3Exception missing) {
        if (!create) {
            throw new IllegalStateException("S3 bucket " + bucket + " does not exist (create it, or set"
                    + " slicefine.storage.s3.create-bucket=true)", missing);
        }
        log.info("Creating S3 bucket {}", bucket);
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
            // Another process (the api and the workers start together) created it first.
            log.info("S3 bucket {} was created meanwhile", bucket);
        }
    }

    @Override
    public BlobCandidate write(InputStream in, long maxBytes) throws IOException {
        return local.write(in, maxBytes);
    }

    @Override
    public BlobCandidate importFile(Path file) throws IOException {
        return local.importFile(file);
    }

    @Override
    public void publish(BlobCandidate candidate) throws IOException {
        if (!exists(candidate.sha256())) {
            try {
                upload(candidate);
            } catch (S3Exception | software.amazon.awssdk.core.exception.SdkClientException e) {
                throw new IOException("Could not upload blob " + candidate.sha256() + " to S3 bucket " + bucket + ": "
                        + e.getMessage(), e);
            }
        }
        // The bytes stay as this process's local copy.
        local.publish(candidate);
        cache.used(candidate.sha256());
    }

    private void upload(BlobCandidate candidate) throws IOException {
        String key = key(candidate.sha256());
        if (candidate.size() <= partSize) {
            s3.putObject(b -> b.bucket(bucket).key(key).contentLength(candidate.size()),
                    RequestBody.fromFile(candidate.tempFile()));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (int number = 1; offset < candidate.size(); number++) {
                long length = Math.min(partSize, candidate.size() - offset);
                int partNumber = number;
                long from = offset;
                // A provider, not a stream: a retried part reads its bytes again from the file.
                RequestBody body = RequestBody.fromContentProvider(
                        () -> {
                            try {
                                return BoundedInputStream.of(candidate.tempFile(), from, length);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }, length, "application/octet-stream");
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength(length), body).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                offset += length;
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    @Override
    public void discard(BlobCandidate candidate) {
        local.discard(candidate);
    }

    @Override
    public boolean exists(String sha256) {
        String key = key(sha256);
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        InputStream cached = cache.openIfLocal(sha256, 0, -1);
        if (cached != null) {
            return cached;
        }
        return get(sha256, null);
    }

    @Override
    public InputStream openRange(String sha256, long offset, long length) throws IOException {
        if (length <= 0) {
            return InputStream.nullInputStream();
        }
        InputStream cached = cache.openIfLocal(sha256, offset, length);
        if (cached != null) {
            return cached;
        }
        return get(sha256, "bytes=" + offset + "-" + (offset + length - 1));
    }

    private InputStream get(String sha256, String range) throws IOException {
        String key = key(sha256);
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key).range(range));
            return in;
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException("s3://" + bucket + "/" + key);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream();
            }
            throw new IOException("Could not read blob " + sha256 + " from S3 bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    /**
     * The blob as a local file, downloaded once and checked against its hash. A blob missing from the bucket gives
     * a path that does not exist (as the filesystem store does), so readers fail with NoSuchFileException.
     */
    @Override
    public Path localFile(String sha256) {
        if (cache.useIfLocal(sha256)) {
            return local.localFile(sha256);
        }
        try (InputStream in = get(sha256, null)) {
            BlobCandidate copy = local.write(in, Long.MAX_VALUE);
            if (!copy.sha256().equals(sha256)) {
                local.discard(copy);
                throw new IOException("Blob " + sha256 + " in S3 bucket " + bucket + " has the wrong content (sha256 "
                        + copy.sha256() + ")");
            }
            local.publish(copy);
            cache.used(sha256);
        } catch (java.nio.file.NoSuchFileException e) {
            log.debug("Blob {} is not in the bucket", sha256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return local.localFile(sha256);
    }

    @Override
    public void delete(String sha256) throws IOException {
        String key = key(sha256);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (S3Exception e) {
            throw new IOException("Could not delete blob " + sha256 + " from S3 bucket " + bucket + ": " + e.getMessage(), e);
        }
        local.delete(sha256);
        cache.removed(sha256);
    }

    @Override
    public Stream<String> list() {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .map(k -> k.substring(prefix.length()))
                .filter(name -> SHA256.matcher(name).matches());
    }

    /**
     * Removes this process's local temporary files. Unfinished multipart uploads are aborted by the upload itself
     * on failure; a crashed process leaves them to the bucket's lifecycle rule (AbortIncompleteMultipartUpload),
     * since other processes may be uploading at this moment.
     */
    @Override
    public void removeTemporaryFiles() throws IOException {
        local.removeTemporaryFiles();
    }

    @Override
    public void close() {
        s3.close();
    }

    private String key(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return prefix + sha256;
    }
}
