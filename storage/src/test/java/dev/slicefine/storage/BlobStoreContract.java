package dev.slicefine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} must do, run against each implementation (the filesystem store, and the S3 store on a
 * real S3 server). The tests share one store per class, so each works with its own random bytes.
 */
abstract class BlobStoreContract {
    private static final Random RANDOM = new Random(12);

    @TempDir
    Path scratch;

    protected abstract BlobStore store();

    /** Big enough to take the store's large-blob path (multipart upload for S3). */
    protected abstract int largeBlobSize();

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        synchronized (RANDOM) {
            RANDOM.nextBytes(b);
        }
        return b;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private String put(byte[] bytes) throws IOException {
        BlobCandidate c = store().write(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
        store().publish(c);
        return c.sha256();
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void aWrittenBlobIsInvisibleUntilPublishedThenReadable() throws Exception {
        byte[] bytes = randomBytes(100_000);
        BlobCandidate c = store().write(new ByteArrayInputStream(bytes), bytes.length);
        assertThat(c.sha256()).isEqualTo(sha256(bytes));
        assertThat(c.size()).isEqualTo(bytes.length);
        assertThat(store().exists(c.sha256())).isFalse();
        store().publish(c);
        assertThat(store().exists(c.sha256())).isTrue();
        assertThat(read(store().open(c.sha256()))).isEqualTo(bytes);
        try (Stream<String> all = store().list()) {
            assertThat(all).contains(c.sha256());
        }
    }

    @Test
    void theSameContentIsStoredOnce() throws Exception {
        byte[] bytes = randomBytes(5_000);
        String first = put(bytes);
        BlobCandidate again = store().write(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
        assertThat(again.sha256()).isEqualTo(first);
        store().publish(again);
        assertThat(Files.exists(again.tempFile())).as("the second copy is dropped").isFalse();
        try (Stream<String> all = store().list()) {
            assertThat(all.filter(first::equals).count()).isEqualTo(1);
        }
        assertThat(read(store().open(first))).isEqualTo(bytes);
    }

    @Test
    void aStreamPastTheLimitIsRefusedAndLeavesNothing() throws Exception {
        byte[] bytes = randomBytes(10_001);
        List<String> before;
        try (Stream<String> all = store().list()) {
            before = all.toList();
        }
        assertThatThrownBy(() -> store().write(new ByteArrayInputStream(bytes), 10_000))
                .isInstanceOf(BlobTooLargeException.class);
        assertThat(store().exists(sha256(bytes))).isFalse();
        try (Stream<String> all = store().list()) {
            assertThat(all.toList()).containsExactlyInAnyOrderElementsOf(before);
        }
    }

    @Test
    void aDiscardedCandidateNeverAppears() throws Exception {
        byte[] bytes = randomBytes(2_000);
        BlobCandidate c = store().write(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
        store().discard(c);
        assertThat(Files.exists(c.tempFile())).isFalse();
        assertThat(store().exists(c.sha256())).isFalse();
    }

    @Test
    void rangesReadThePartAskedForAndStopAtTheEnd() throws Exception {
        byte[] bytes = randomBytes(300_000);
        String sha = put(bytes);
        assertThat(read(store().openRange(sha, 0, 10))).isEqualTo(Arrays.copyOfRange(bytes, 0, 10));
        assertThat(read(store().openRange(sha, 123_456, 70_000))).isEqualTo(Arrays.copyOfRange(bytes, 123_456, 193_456));
        assertThat(read(store().openRange(sha, 299_990, 100))).as("truncated at the end")
                .isEqualTo(Arrays.copyOfRange(bytes, 299_990, 300_000));
        assertThat(read(store().openRange(sha, 0, 0))).isEmpty();
    }

    @Test
    void aLargeBlobRoundTrips() throws Exception {
        byte[] bytes = randomBytes(largeBlobSize());
        String sha = put(bytes);
        assertThat(sha).isEqualTo(sha256(bytes));
        assertThat(read(store().open(sha))).isEqualTo(bytes);
        int mid = bytes.length / 2;
        assertThat(read(store().openRange(sha, mid - 3, 6))).isEqualTo(Arrays.copyOfRange(bytes, mid - 3, mid + 3));
        assertThat(Files.readAllBytes(store().localFile(sha))).isEqualTo(bytes);
    }

    @Test
    void localFileHasTheBytes() throws Exception {
        byte[] bytes = randomBytes(4_321);
        String sha = put(bytes);
        Path file = store().localFile(sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    @Test
    void anImportedFileStaysWhereItWas() throws Exception {
        byte[] bytes = randomBytes(7_000);
        Path original = Files.write(scratch.resolve("original.bin"), bytes);
        BlobCandidate c = store().importFile(original);
        assertThat(c.sha256()).isEqualTo(sha256(bytes));
        store().publish(c);
        assertThat(Files.readAllBytes(original)).isEqualTo(bytes);
        assertThat(read(store().open(c.sha256()))).isEqualTo(bytes);
    }

    @Test
    void aDeletedBlobIsGone() throws Exception {
        byte[] bytes = randomBytes(3_000);
        String sha = put(bytes);
        store().delete(sha);
        assertThat(store().exists(sha)).isFalse();
        assertThatThrownBy(() -> read(store().open(sha))).isInstanceOf(NoSuchFileException.class);
        assertThat(store().localFile(sha)).doesNotExist();
        try (Stream<String> all = store().list()) {
            assertThat(all).doesNotContain(sha);
        }
        store().delete(sha);
    }

    @Test
    void removingTemporaryFilesDropsCandidatesOnlyAndNotBlobs() throws Exception {
        byte[] kept = randomBytes(1_000);
        String sha = put(kept);
        BlobCandidate pending = store().write(new ByteArrayInputStream(randomBytes(1_000)), Long.MAX_VALUE);
        store().removeTemporaryFiles();
        assertThat(Files.exists(pending.tempFile())).isFalse();
        assertThat(read(store().open(sha))).isEqualTo(kept);
    }

    @Test
    void somethingThatIsNotAHashIsRefused() {
        assertThatThrownBy(() -> store().exists("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().open("ABC")).isInstanceOf(IllegalArgumentException.class);
    }
}
