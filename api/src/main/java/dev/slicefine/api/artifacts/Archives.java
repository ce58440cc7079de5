package dev.slicefine.api.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Packs a folder into a zip or tar, deterministically (sorted names, fixed timestamps) so the same files give the
 * same bytes and therefore the same blob and ETag. Large tensors are STORED: floats barely compress, and the seekable
 * output lets the zip writer fill in sizes and CRCs afterwards, so nothing is buffered.
 */
final class Archives {
    private static final FileTime EPOCH = FileTime.fromMillis(315532800000L); // 1980-01-01, zip's earliest time

    private Archives() {}

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static void zip(Path dir, Path out) throws IOException {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Path f : files(dir)) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                ZipArchiveEntry e = new ZipArchiveEntry(name);
                e.setLastModifiedTime(EPOCH);
                boolean text = name.toLowerCase(Locale.ROOT).matches(".*\\.(json|txt|model|md)$");
                e.setMethod(text ? ZipArchiveEntry.DEFLATED : ZipArchiveEntry.STORED);
                zip.putArchiveEntry(e);
                try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(zip);
                }
                zip.closeArchiveEntry();
            }
        }
    }

    static void tar(Path dir, Path out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path f : files(dir)) {
                TarArchiveEntry e = new TarArchiveEntry(dir.relativize(f).toString().replace('\\', '/'));
                e.setSize(Files.size(f));
                e.setModTime(EPOCH);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
            }
        }
    }
}
