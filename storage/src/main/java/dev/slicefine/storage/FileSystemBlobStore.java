package dev.slicefine.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs as files {@code <root>/ab/cd/<sha256>}; temporary files in {@code <root>/.tmp}, on the same file system so
 * the final rename is atomic. A crash leaves at most a temporary file, which no reader ever sees.
 */
public class FileSystemBlobStore implements BlobStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final Path tmp;

    public FileSystemBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        Files.createDirectories(tmp);
    }

    @Override
    public BlobCandidate write(InputStream in, long maxBytes) throws IOException {
        Path temp = tmp.resolve(UUID.randomUUID() + ".part");
        MessageDigest digest = sha256();
        long size = 0;
        boolean ok = false;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[BUFFER];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            int n;
            while ((n = in.read(buffer)) != -1) {
                size += n;
                if (size > maxBytes) {
                    throw new BlobTooLargeException(maxBytes);
                }
                digest.update(buffer, 0, n);
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
            }
            out.force(true);
            ok = true;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw StorageException.insufficientStorage();
            }
            throw e;
        } finally {
            if (!ok) {
                Files.deleteIfExists(temp);
            }
        }
        return new BlobCandidate(temp, HexFormat.of().formatHex(digest.digest()), size);
    }

    @Override
    public BlobCandidate importFile(Path file) throws IOException {
        Path temp = tmp.resolve(UUID.randomUUID() + ".part");
        try {
            Files.createLink(temp, file);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, temp);
        }
        MessageDigest digest = sha256();
        long size = 0;
        try (InputStream in = Files.newInputStream(temp)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
                size += n;
            }
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return new BlobCandidate(temp, HexFormat.of().formatHex(digest.digest()), size);
    }

    @Override
    public void publish(BlobCandidate candidate) throws IOException {
        Path target = path(candidate.sha256());
        if (Files.exists(target)) {
            discard(candidate);
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(candidate.tempFile(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            discard(candidate);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("Blob temp dir and blob dir must be on one file system", e);
        }
    }

    @Override
    public void discard(BlobCandidate candidate) {
        try {
            Files.deleteIfExists(candidate.tempFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean exists(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(path(sha256));
    }

    @Override
    public InputStream openRange(String sha256, long offset, long length) throws IOException {
        Path file = path(sha256);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return BoundedInputStream.of(file, offset, Math.max(0, length));
    }

    @Override
    public Path localFile(String sha256) {
        return path(sha256);
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    @Override
    public Stream<String> list() throws IOException {
        return Files.walk(root, 3)
                .filter(p -> !p.startsWith(tmp) && Files.isRegularFile(p))
                .map(p -> p.getFileName().toString())
                .filter(name -> SHA256.matcher(name).matches());
    }

    @Override
    public void removeTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            Files.createDirectories(tmp);
        }
    }

    private Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
