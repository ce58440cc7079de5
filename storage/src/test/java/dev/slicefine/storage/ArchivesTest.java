package dev.slicefine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {
    @TempDir
    Path tmp;

    private Path folder(String name, long mtime) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] tensor = new byte[300_000];
        for (int i = 0; i < tensor.length; i++) {
            tensor[i] = (byte) (i * 31 + 7);
        }
        // Written in reverse name order: the archive must not depend on the order the file system lists them.
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/tokenizer.json"), "{\"vocab\": [\"a\", \"b\"]}");
        Files.write(dir.resolve("model.safetensors"), tensor);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}".repeat(50));
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
            }
        }
        return dir;
    }

    @Test
    void sameFolderGivesSameBytesWhateverTheFileTimes() throws IOException {
        Path a = tmp.resolve("a.zip");
        Path b = tmp.resolve("b.zip");
        Archives.zip(folder("one", 1_600_000_000_000L), a);
        Archives.zip(folder("two", 1_700_000_000_000L), b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));

        Path ta = tmp.resolve("a.tar");
        Path tb = tmp.resolve("b.tar");
        Archives.tar(tmp.resolve("one"), ta);
        Archives.tar(tmp.resolve("two"), tb);
        assertThat(Files.readAllBytes(ta)).isEqualTo(Files.readAllBytes(tb));
    }

    @Test
    void zipListsSortedEntriesWithTheirHashesStoresTensorsAndDeflatesText() throws Exception {
        Path dir = folder("f", 1_600_000_000_000L);
        Path zip = tmp.resolve("f.zip");
        List<Archives.Entry> entries = Archives.zip(dir, zip);

        assertThat(entries).extracting(Archives.Entry::path)
                .containsExactly("config.json", "model.safetensors", "sub/tokenizer.json");
        for (Archives.Entry e : entries) {
            byte[] bytes = Files.readAllBytes(dir.resolve(e.path()));
            assertThat(e.size()).isEqualTo(bytes.length);
            assertThat(e.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
        try (ZipFile z = new ZipFile(zip.toFile())) {
            assertThat(z.getEntry("model.safetensors").getMethod()).isEqualTo(ZipEntry.STORED);
            assertThat(z.getEntry("config.json").getMethod()).isEqualTo(ZipEntry.DEFLATED);
            assertThat(z.getEntry("config.json").getCompressedSize()).isLessThan(z.getEntry("config.json").getSize());
        }
        // A streaming reader (no central directory) sees sizes in the local headers and every byte intact.
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(dir.resolve(e.getName())));
            }
        }
        assertThat(names).containsExactly("config.json", "model.safetensors", "sub/tokenizer.json");
    }

    @Test
    void tarHoldsEveryFileWithItsSize() throws IOException {
        Path dir = folder("t", 1_600_000_000_000L);
        Path tar = tmp.resolve("t.tar");
        List<Archives.Entry> entries = Archives.tar(dir, tar);
        List<String> names = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(tar); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(dir.resolve(e.getName())));
            }
        }
        assertThat(names).containsExactlyElementsOf(entries.stream().map(Archives.Entry::path).toList());
    }
}
