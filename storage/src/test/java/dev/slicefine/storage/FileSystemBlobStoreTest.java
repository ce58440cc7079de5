package dev.slicefine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest {
    private static final String HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @TempDir
    Path tmp;

    private static InputStream hello() {
        return new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writtenBytesAreInvisibleUntilPublishedUnderTheirHash() throws IOException {
        FileSystemBlobStore store = new FileSystemBlobStore(tmp.resolve("blobs"));
        BlobCandidate c = store.write(hello(), 100);
        assertThat(c.sha256()).isEqualTo(HELLO_SHA);
        assertThat(c.size()).isEqualTo(5);
        assertThat(store.exists(HELLO_SHA)).isFalse();

        store.publish(c);
        assertThat(store.exists(HELLO_SHA)).isTrue();
        assertThat(Files.exists(c.tempFile())).isFalse();
        try (InputStream in = store.open(HELLO_SHA)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        try (Stream<String> all = store.list()) {
            assertThat(all).containsExactly(HELLO_SHA);
        }

        // The same bytes again: the blob already there is kept, the new candidate dropped.
        BlobCandidate again = store.write(hello(), 100);
        store.publish(again);
        assertThat(Files.exists(again.tempFile())).isFalse();
        store.delete(HELLO_SHA);
        assertThat(store.exists(HELLO_SHA)).isFalse();
    }

    @Test
    void refusesAStreamPastTheLimitAndKeepsNothing() throws IOException {
        FileSystemBlobStore store = new FileSystemBlobStore(tmp.resolve("blobs"));
        assertThatThrownBy(() -> store.write(hello(), 4))
                .isInstanceOf(BlobTooLargeException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo("payload_too_large"));
        try (Stream<Path> left = Files.list(tmp.resolve("blobs/.tmp"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void importsAFileLeavingTheOriginalAndCleansUpTemporaries() throws IOException {
        FileSystemBlobStore store = new FileSystemBlobStore(tmp.resolve("blobs"));
        Path file = Files.writeString(tmp.resolve("f.txt"), "hello");
        BlobCandidate c = store.importFile(file);
        assertThat(c.sha256()).isEqualTo(HELLO_SHA);
        assertThat(Files.readString(file)).isEqualTo("hello");

        store.removeTemporaryFiles();
        assertThat(Files.exists(c.tempFile())).isFalse();
        assertThatThrownBy(() -> store.localFile("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
