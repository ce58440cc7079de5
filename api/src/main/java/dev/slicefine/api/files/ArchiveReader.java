package dev.slicefine.api.files;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads zip, tar and tar.gz archives defensively: every entry path is checked ({@link SafePaths}), links and
 * special files are refused, and entry count, total uncompressed bytes and compression ratio are limited, on the
 * sizes the archive declares and again on the bytes actually read.
 */
public final class ArchiveReader {

    /** Receives each regular file, with a stream that stops at the limits. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(String path, InputStream content) throws IOException;
    }

    private final SliceFineProperties.Archive limits;

    public ArchiveReader(SliceFineProperties.Archive limits) {
        this.limits = limits;
    }

    /** Checks the file's leading bytes match its claimed kind. */
    public static void checkMagic(Path file, FileRules.ArchiveKind kind, String filename) throws IOException {
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        boolean ok = switch (kind) {
            case ZIP -> n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6);
            case TAR_GZ -> n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            case TAR -> n >= 262 && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar");
        };
        if (!ok) {
            throw ApiException.unsupported("'" + filename + "' is not a valid " + kind.format + " archive");
        }
    }

    public void read(Path archive, FileRules.ArchiveKind kind, String filename, EntryConsumer consumer) throws IOException {
        checkMagic(archive, kind, filename);
        long archiveSize = Files.size(archive);
        switch (kind) {
            case ZIP -> readZip(archive, consumer);
            case TAR -> readTar(Files.newInputStream(archive), archiveSize, false, consumer);
            case TAR_GZ -> readTar(Files.newInputStream(archive), archiveSize, true, consumer);
        }
    }

    /** Only checks a zip's directory (paths, links, declared sizes), reading no content. */
    public void inspectZip(Path archive, String filename) throws IOException {
        checkMagic(archive, FileRules.ArchiveKind.ZIP, filename);
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            checkZipDirectory(zip);
        } catch (IOException e) {
            throw unreadable(filename, e);
        }
    }

    private List<ZipArchiveEntry> checkZipDirectory(ZipFile zip) {
        List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
        if (entries.size() > limits.maxEntries()) {
            throw bomb("it has " + entries.size() + " entries (limit " + limits.maxEntries() + ")");
        }
        long declaredTotal = 0;
        Set<String> seen = new HashSet<>();
        for (ZipArchiveEntry entry : entries) {
            String path = SafePaths.relative(entry.getName());
            if (entry.isUnixSymlink()) {
                throw ApiException.badRequest("archive_link_not_allowed",
                        "The archive entry '" + entry.getName() + "' is a symbolic link; links are not accepted");
            }
            if (entry.isDirectory()) {
                continue;
            }
            if (!seen.add(path)) {
                throw ApiException.badRequest("duplicate_file", "The archive holds '" + path + "' twice");
            }
            if (entry.getSize() > 0) {
                declaredTotal += entry.getSize();
                checkRatio(entry.getName(), entry.getSize(), entry.getCompressedSize());
            }
        }
        checkTotal(declaredTotal);
        return entries;
    }

    private void readZip(Path archive, EntryConsumer consumer) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            Counter total = new Counter();
            for (ZipArchiveEntry entry : checkZipDirectory(zip)) {
                if (entry.isDirectory()) {
                    continue;
                }
                String path = SafePaths.relative(entry.getName());
                if (SafePaths.isOsClutter(path)) {
                    continue;
                }
                try (InputStream in = new LimitedStream(zip.getInputStream(entry), entry.getName(),
                        Math.max(entry.getCompressedSize(), 1), false, total)) {
                    consumer.accept(path, in);
                }
            }
        }
    }

    private void readTar(InputStream raw, long archiveSize, boolean gzip, EntryConsumer consumer) throws IOException {
        Counter total = new Counter();
        int count = 0;
        Set<String> seen = new HashSet<>();
        try (InputStream buffered = new BufferedInputStream(raw, 64 * 1024);
             InputStream decompressed = gzip ? new GzipCompressorInputStream(buffered, true) : buffered;
             TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++count > limits.maxEntries()) {
                    throw bomb("it has more than " + limits.maxEntries() + " entries");
                }
                String path = SafePaths.relative(entry.getName());
                if (entry.isSymbolicLink() || entry.isLink()) {
                    throw ApiException.badRequest("archive_link_not_allowed", "The archive entry '" + entry.getName()
                            + "' is a " + (entry.isSymbolicLink() ? "symbolic" : "hard") + " link; links are not accepted");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                // isFile() is true for any type flag it does not know as a directory, FIFOs and devices included.
                if (!entry.isFile() || entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
                    throw ApiException.badRequest("unsupported_entry",
                            "The archive entry '" + entry.getName() + "' is not a regular file");
                }
                if (!seen.add(path)) {
                    throw ApiException.badRequest("duplicate_file", "The archive holds '" + path + "' twice");
                }
                checkTotal(total.bytes + entry.getSize());
                if (SafePaths.isOsClutter(path)) {
                    continue;
                }
                // For tar.gz the ratio is over the whole stream: bytes out so far against the compressed file.
                consumer.accept(path, new LimitedStream(new NonClosing(tar), entry.getName(),
                        gzip ? Math.max(archiveSize, 1) : Long.MAX_VALUE / 4, gzip, total));
            }
        } catch (IOException e) {
            throw unreadable("the archive", e);
        }
    }

    private void checkRatio(String name, long size, long compressed) {
        if (size >= limits.ratioMinBytes().toBytes() && compressed > 0
                && size / compressed > limits.maxCompressionRatio()) {
            throw bomb("'" + name + "' expands " + (size / compressed) + "x (limit " + limits.maxCompressionRatio() + "x)");
        }
    }

    private void checkTotal(long total) {
        if (total > limits.maxTotalUncompressed().toBytes()) {
            throw bomb("it expands to more than " + limits.maxTotalUncompressed().toBytes() + " bytes");
        }
    }

    private static ApiException bomb(String why) {
        return ApiException.unprocessable("archive_bomb", "The archive was refused as a possible archive bomb: " + why);
    }

    private static ApiException unreadable(String what, IOException e) {
        return ApiException.unprocessable("unreadable_archive", "Could not read " + what + ": " + e.getMessage());
    }

    private static final class Counter {
        long bytes;
    }

    /** Counts the bytes really read; declared sizes can lie. */
    private final class LimitedStream extends FilterInputStream {
        private final String name;
        private final long compressed;
        private final boolean ratioOverWholeStream;
        private final Counter total;
        private long read;

        LimitedStream(InputStream in, String name, long compressed, boolean ratioOverWholeStream, Counter total) {
            super(in);
            this.name = name;
            this.compressed = compressed;
            this.ratioOverWholeStream = ratioOverWholeStream;
            this.total = total;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) {
            read += n;
            total.bytes += n;
            checkTotal(total.bytes);
            checkRatio(ratioOverWholeStream ? "the archive" : name, ratioOverWholeStream ? total.bytes : read, compressed);
        }
    }

    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the tar stream is closed by its owner
        }
    }
}
