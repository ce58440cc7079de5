package dev.slicefine.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * The one writer that packs a folder into a zip or tar (the worker's artifacts, the api's merged / PEFT / tar
 * variants). Deterministic: sorted names, fixed timestamps, so the same files give the same bytes and therefore the
 * same blob and ETag. Streaming: each file goes through a fixed buffer, so a multi-GB checkpoint needs no heap; large
 * tensors are STORED (floats barely compress) and the seekable output lets the zip writer fill in sizes and CRCs
 * afterwards.
 */
public final class Archives {
    private static final FileTime EPOCH = FileTime.fromMillis(315532800000L); // 1980-01-01, zip's earliest time
    private static final int BUFFER = 256 * 1024;

    /** One packed file: its path in the archive ('/'-separated), its size and the sha256 of its bytes. */
    public record Entry(String path, long size, String sha256) {}

    private Archives() {}

    /** The regular files under {@code dir}, sorted. */
    public static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Zips {@code dir} into {@code out}: text files deflated, everything else (tensors) stored. */
    public static List<Entry> zip(Path dir, Path out) throws IOException {
        List<Entry> entries = new ArrayList<>();
        byte[] buffer = new byte[BUFFER];
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Path f : files(dir)) {
                String name = name(dir, f);
                ZipArchiveEntry e = new ZipArchiveEntry(name);
                e.setLastModifiedTime(EPOCH);
                e.setSize(Files.size(f));
                boolean text = name.toLowerCase(Locale.ROOT).matches(".*\\.(json|txt|model|md)$");
                e.setMethod(text ? ZipArchiveEntry.DEFLATED : ZipArchiveEntry.STORED);
                zip.putArchiveEntry(e);
                entries.add(copy(name, f, zip, buffer));
                zip.closeArchiveEntry();
            }
        }
        return entries;
    }

    /** Tars {@code dir} into {@code out} (POSIX long names and big sizes, mode 0644). */
    public static List<Entry> tar(Path dir, Path out) throws IOException {
        List<Entry> entries = new ArrayList<>();
        byte[] buffer = new byte[BUFFER];
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path f : files(dir)) {
                String name = name(dir, f);
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(Files.size(f));
                e.setModTime(EPOCH);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                entries.add(copy(name, f, tar, buffer));
                tar.closeArchiveEntry();
            }
        }
        return entries;
    }

    private static String name(Path dir, Path f) {
        return dir.relativize(f).toString().replace('\\', '/');
    }

    /** Streams one file into the archive, hashing it on the way. */
    private static Entry copy(String name, Path f, OutputStream out, byte[] buffer) throws IOException {
        MessageDigest digest = FileSystemBlobStore.sha256();
        long size = 0;
        try (InputStream in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                size += n;
            }
        }
        return new Entry(name, size, HexFormat.of().formatHex(digest.digest()));
    }
}
