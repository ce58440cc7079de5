package dev.slicefine.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Content-addressed storage (sha256, lowercase hex). Writing is two-phase: {@link #write} streams the bytes into
 * a hidden temporary file while hashing them; {@link #publish} makes them visible atomically. Reference counts
 * live in the database ({@link BlobRefs}); this interface only moves bytes.
 */
public interface BlobStore {

    /** Copies {@code in} to a temporary file, hashing on the way; fails with {@link BlobTooLargeException} past {@code maxBytes}. */
    BlobCandidate write(InputStream in, long maxBytes) throws IOException;

    /**
     * Turns an existing local file into a candidate without copying where possible (hard link), hashing it once.
     * The original file is left in place.
     */
    BlobCandidate importFile(Path file) throws IOException;

    /** Makes the candidate visible under its hash (atomic rename); a blob already there is kept and the candidate dropped. */
    void publish(BlobCandidate candidate) throws IOException;

    /** Drops an unpublished candidate. */
    void discard(BlobCandidate candidate);

    boolean exists(String sha256);

    InputStream open(String sha256) throws IOException;

    /**
     * Bytes {@code [offset, offset + length)} of the blob, fewer when it ends first (a Range request). The default
     * reads the whole stream up to the range; a remote store asks the server for the range only.
     */
    default InputStream openRange(String sha256, long offset, long length) throws IOException {
        InputStream in = open(sha256);
        try {
            in.skipNBytes(offset);
        } catch (java.io.EOFException e) {
            in.close();
            return InputStream.nullInputStream();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return new BoundedInputStream(in, Math.max(0, length));
    }

    /** A local file with the blob's bytes (the filesystem store's own file; a remote store would cache it). */
    Path localFile(String sha256);

    void delete(String sha256) throws IOException;

    /** Every published blob's hash (for garbage collection). */
    Stream<String> list() throws IOException;

    /** Removes temporary files left by a crash; call before serving requests. */
    void removeTemporaryFiles() throws IOException;
}
