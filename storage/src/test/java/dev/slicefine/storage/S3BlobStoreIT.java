package dev.slicefine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The blob store contract on {@link S3BlobStore} against a real S3 server (s3proxy, see {@link S3ProxyServer}),
 * with 5MB parts so that the large blob (5MB + 17 bytes) goes up as a two-part multipart upload; then what only a shared bucket can show: a
 * second process with its own cache reads what the first wrote, and bytes that do not match their hash are refused.
 */
class S3BlobStoreIT extends BlobStoreContract {
    private static final String BUCKET = "slicefine-test";
    private static Path dir;
    private static S3ProxyServer server;
    private static S3BlobStore store;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("slicefine-s3");
        server = S3ProxyServer.start(dir);
        store = open(dir.resolve("cache-a"), true);
    }

    @AfterAll
    static void stop() throws IOException {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static StorageProperties.S3 settings(String bucket, boolean create) {
        return new StorageProperties.S3(server.endpoint(), "us-east-1", bucket, true, "blobs/",
                DataSize.ofMegabytes(5), create, null);
    }

    private static S3BlobStore open(Path cache, boolean create) throws IOException {
        return S3BlobStore.create(settings(BUCKET, create), cache, server.credentials());
    }

    @Override
    protected BlobStore store() {
        return store;
    }

    @Override
    protected int largeBlobSize() {
        return 5 * 1024 * 1024 + 17;
    }

    @Test
    void anotherNodeWithItsOwnDiskReadsWhatThisOneWrote() throws Exception {
        byte[] bytes = randomBytes(300_001);
        BlobCandidate c = store.write(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
        store.publish(c);
        try (S3BlobStore other = open(dir.resolve("cache-b"), false)) {
            assertThat(other.exists(c.sha256())).isTrue();
            try (InputStream in = other.open(c.sha256())) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            Path local = other.localFile(c.sha256());
            assertThat(local).startsWith(dir.resolve("cache-b"));
            assertThat(Files.readAllBytes(local)).isEqualTo(bytes);
            // The other node deletes it: gone for this one too (its own local copy aside, nobody asks for it).
            other.delete(c.sha256());
            assertThat(store.exists(c.sha256())).isFalse();
        }
    }

    @Test
    void bytesThatDoNotMatchTheirHashAreNotCached() throws Exception {
        byte[] real = randomBytes(1000);
        String sha = sha256(real);
        try (S3Client raw = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(server.credentials()).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED).build()) {
            raw.putObject(b -> b.bucket(BUCKET).key("blobs/" + sha), RequestBody.fromBytes(randomBytes(1000)));
        }
        try (S3BlobStore other = open(dir.resolve("cache-c"), false)) {
            assertThatThrownBy(() -> other.localFile(sha)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("wrong content");
            assertThat(dir.resolve("cache-c").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha))
                    .doesNotExist();
        }
        store.delete(sha);
    }

    @Test
    void aMissingBucketIsAnErrorUnlessItMayBeCreated() throws Exception {
        assertThatThrownBy(() -> S3BlobStore.create(settings("no-such-bucket", false), dir.resolve("cache-d"),
                server.credentials())).hasMessageContaining("S3 bucket no-such-bucket does not exist");
        try (S3BlobStore created = S3BlobStore.create(settings("created-bucket", true), dir.resolve("cache-d"),
                server.credentials())) {
            BlobCandidate c = created.write(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10);
            created.publish(c);
            assertThat(created.exists(c.sha256())).isTrue();
            // A second process starting with create-bucket finds it there (or loses the race to create it): no error.
            try (S3BlobStore again = S3BlobStore.create(settings("created-bucket", true), dir.resolve("cache-f"),
                    server.credentials())) {
                assertThat(again.exists(c.sha256())).isTrue();
            }
        }
    }

    @Test
    void aPartSizeBelowFiveMegabytesIsRefused() {
        assertThatThrownBy(() -> new S3BlobStore(null, BUCKET, "", 1024, dir.resolve("cache-e")))
                .hasMessageContaining("at least 5MB");
    }
}
