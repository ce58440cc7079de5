package dev.slicefine.api.files;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.support.Archives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveReaderTest {
    @TempDir
    Path dir;

    private final ArchiveReader reader = new ArchiveReader(new SliceFineProperties.Archive(
            20, DataSize.ofKilobytes(256), 50, DataSize.ofKilobytes(16)));

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private List<String> read(Path archive, FileRules.ArchiveKind kind) throws IOException {
        List<String> paths = new ArrayList<>();
        reader.read(archive, kind, archive.getFileName().toString(), (path, in) -> {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            paths.add(path);
        });
        return paths;
    }

    @Test
    void readsEveryKindAndNormalisesPaths() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("./m/config.json", "{}".getBytes());
        entries.put("m/sub/vocab.txt", "a".getBytes());
        entries.put("m/.DS_Store", "x".getBytes());
        assertThat(read(write("a.zip", Archives.zip(entries)), FileRules.ArchiveKind.ZIP))
                .containsExactly("m/config.json", "m/sub/vocab.txt");
        assertThat(read(write("a.tar", Archives.tar(entries, false)), FileRules.ArchiveKind.TAR))
                .containsExactly("m/config.json", "m/sub/vocab.txt");
        assertThat(read(write("a.tgz", Archives.tar(entries, true)), FileRules.ArchiveKind.TAR_GZ))
                .containsExactly("m/config.json", "m/sub/vocab.txt");
    }

    @Test
    void limitsTheTotalUncompressedSizeOnRealBytes() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            entries.put("f" + i + ".bin", random(64 * 1024)); // incompressible: the ratio check stays quiet
        }
        for (var kind : List.of(FileRules.ArchiveKind.ZIP, FileRules.ArchiveKind.TAR, FileRules.ArchiveKind.TAR_GZ)) {
            byte[] archive = kind == FileRules.ArchiveKind.ZIP ? Archives.zip(entries)
                    : Archives.tar(entries, kind == FileRules.ArchiveKind.TAR_GZ);
            assertThatThrownBy(() -> read(write("t." + kind.format, archive), kind))
                    .isInstanceOf(ApiException.class).hasMessageContaining("expands to more than")
                    .extracting(e -> ((ApiException) e).code()).isEqualTo("archive_bomb");
        }
    }

    @Test
    void limitsEntryCountAndRatio() throws IOException {
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 21; i++) {
            many.put("f" + i, new byte[1]);
        }
        assertThatThrownBy(() -> read(write("n.tar", Archives.tar(many, false)), FileRules.ArchiveKind.TAR))
                .hasMessageContaining("entries");
        assertThatThrownBy(() -> read(write("r.zip", Archives.zip(Map.of("z", new byte[200 * 1024]))), FileRules.ArchiveKind.ZIP))
                .hasMessageContaining("expands");
    }

    @Test
    void refusesTraversalAbsolutePathsAndLinks() throws IOException {
        assertThatThrownBy(() -> read(write("t.tar", Archives.tar(Map.of("../x", new byte[1]), false)), FileRules.ArchiveKind.TAR))
                .extracting(e -> ((ApiException) e).code()).isEqualTo("unsafe_path");
        assertThatThrownBy(() -> read(write("a.zip", Archives.zip(Map.of("/etc/x", new byte[1]))), FileRules.ArchiveKind.ZIP))
                .extracting(e -> ((ApiException) e).code()).isEqualTo("unsafe_path");
        assertThatThrownBy(() -> read(write("l.tar", Archives.tar(Map.of(), Map.of("link", "/etc/passwd"), false)), FileRules.ArchiveKind.TAR))
                .extracting(e -> ((ApiException) e).code()).isEqualTo("archive_link_not_allowed");
        assertThatThrownBy(() -> read(write("d.zip", Archives.zip(Map.of("C:/x", new byte[1]))), FileRules.ArchiveKind.ZIP))
                .extracting(e -> ((ApiException) e).code()).isEqualTo("unsafe_path");
    }

    @Test
    void safePathsNormaliseAndRefuse() {
        assertThat(SafePaths.relative("a/./b//c.json")).isEqualTo("a/b/c.json");
        for (String bad : List.of("..", "a/../../b", "/abs", "C:\\x", "a\\..\\b", "~/x", "a\u0000b", "")) {
            assertThatThrownBy(() -> SafePaths.relative(bad)).isInstanceOf(ApiException.class);
        }
    }
}
