package dev.slicefine.api.datasets;

import dev.slicefine.api.support.Archives;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DatasetValidatorTest {
    private final DatasetValidator validator = new DatasetValidator(JsonMapper.builder().build(), 100);

    private static ByteArrayInputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void countsRowsAndLabelsOfAGoodJsonlFile() throws IOException {
        DatasetReport r = validator.jsonl(text("""
                {"text":"buy now","label":"spam"}
                {"text":"hello bob","label":"ham"}

                {"text":"cheap pills","label":"spam"}
                """), "text", "label");
        assertThat(r.valid()).isTrue();
        assertThat(r.rows()).isEqualTo(3);
        assertThat(r.blankLines()).isEqualTo(1);
        assertThat(r.labelType()).isEqualTo("string");
        assertThat(r.labelDistribution()).containsExactly(Map.entry("ham", 1L), Map.entry("spam", 2L));
    }

    @Test
    void reportsEveryBadJsonlLineWithItsNumber() throws IOException {
        DatasetReport r = validator.jsonl(text("""
                {"text":"ok","label":"a"}
                {"text": broken
                {"label":"a"}
                {"text":"  ","label":"a"}
                {"text":"x","label":1.5}
                {"text":"x","label":["a"]}
                {"text":"x","label":3}
                [1,2]
                {"text":7,"label":"a"}
                {"text":"x","label":""}
                {"text":"x"}"""), "text", "label");
        assertThat(r.valid()).isFalse();
        assertThat(r.rows()).isEqualTo(11);
        assertThat(r.validRows()).isEqualTo(1);
        assertThat(r.errorCount()).isEqualTo(10);
        assertThat(r.errors()).extracting(DatasetError::line, DatasetError::code).containsExactly(
                tuple(2L, "invalid_json"), tuple(3L, "missing_field"), tuple(4L, "empty_field"),
                tuple(5L, "invalid_label_type"), tuple(6L, "invalid_label_type"), tuple(7L, "inconsistent_label_type"),
                tuple(8L, "not_an_object"), tuple(9L, "wrong_type"), tuple(10L, "empty_field"), tuple(11L, "missing_field"));
    }

    @Test
    void acceptsIntegerLabelsAndCustomFieldNames() throws IOException {
        DatasetReport r = validator.jsonl(text("{\"sentence\":\"a\",\"y\":0}\n{\"sentence\":\"b\",\"y\":1}\r\n"), "sentence", "y");
        assertThat(r.valid()).isTrue();
        assertThat(r.labelType()).isEqualTo("integer");
        assertThat(r.labelDistribution()).containsOnlyKeys("0", "1");
    }

    @Test
    void overlongLinesAndInvalidUtf8AreReportedWithoutStoppingTheScan() throws IOException {
        byte[] longLine = ("{\"text\":\"" + "x".repeat(DatasetValidator.MAX_LINE_BYTES) + "\",\"label\":\"a\"}\n").getBytes();
        byte[] badUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        byte[] good = "{\"text\":\"fine\",\"label\":\"a\"}".getBytes();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.writeBytes(longLine);
        all.writeBytes(badUtf8);
        all.writeBytes(good);
        DatasetReport r = validator.jsonl(new ByteArrayInputStream(all.toByteArray()), "text", "label");
        assertThat(r.rows()).isEqualTo(3);
        assertThat(r.validRows()).isEqualTo(1);
        assertThat(r.errors()).extracting(DatasetError::line, DatasetError::code)
                .containsExactly(tuple(1L, "line_too_long"), tuple(2L, "invalid_json"));
    }

    @Test
    void emptyFileIsInvalid() throws IOException {
        DatasetReport r = validator.jsonl(text(""), "text", "label");
        assertThat(r.valid()).isFalse();
        assertThat(r.errors()).extracting(DatasetError::code).containsExactly("empty_dataset");
    }

    @Test
    void keepsOnlyTheFirstErrorsButCountsAll() throws IOException {
        String lines = "nope\n".repeat(250);
        DatasetReport r = validator.jsonl(text(lines), "text", "label");
        assertThat(r.errorCount()).isEqualTo(250);
        assertThat(r.errors()).hasSize(100);
        assertThat(r.errorsTruncated()).isTrue();
    }

    @Test
    void readsCsvWithQuotedCommasAndNewlinesAndReportsRecordStartLines() throws IOException {
        DatasetReport r = validator.csv(text("""
                id,text,label
                1,"hello, world",greeting
                2,"two
                lines",greeting
                3,"",farewell
                4,bye
                5,"say ""bye""\",farewell
                """), "text", "label");
        assertThat(r.columns()).containsExactly("id", "text", "label");
        assertThat(r.rows()).isEqualTo(5);
        assertThat(r.validRows()).isEqualTo(3);
        assertThat(r.errors()).extracting(DatasetError::line, DatasetError::code)
                .containsExactly(tuple(5L, "empty_field"), tuple(6L, "wrong_field_count"));
        assertThat(r.labelDistribution()).containsEntry("greeting", 2L).containsEntry("farewell", 1L);
    }

    @Test
    void csvWithoutTheNamedColumnsIsInvalid() throws IOException {
        DatasetReport r = validator.csv(text("sentence,y\na,b\n"), "text", "label");
        assertThat(r.valid()).isFalse();
        assertThat(r.errors().get(0).code()).isEqualTo("missing_column");
        assertThat(r.errors().get(0).message()).contains("sentence, y");
    }

    @Test
    void checksImageFoldersByStructureAndMagicBytes(@TempDir Path dir) throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0};
        byte[] jpg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0, 0, 0};
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("pets/cat/1.png", png);
        entries.put("pets/cat/2.jpg", jpg);
        entries.put("pets/dog/1.png", png);
        entries.put("pets/dog/notes.txt", "x".getBytes());
        entries.put("pets/dog/fake.png", "not an image".getBytes());
        entries.put("pets/stray.png", png);
        entries.put("__MACOSX/pets/._1.png", png);
        Path zip = dir.resolve("pets.zip");
        Files.write(zip, Archives.zip(entries));
        DatasetReport r = validator.imageFolder(zip);
        assertThat(r.rows()).isEqualTo(6);
        assertThat(r.validRows()).isEqualTo(3);
        assertThat(r.labelDistribution()).containsExactly(Map.entry("cat", 2L), Map.entry("dog", 1L));
        assertThat(r.errors()).extracting(DatasetError::entry, DatasetError::code).containsExactly(
                tuple("pets/dog/notes.txt", "unsupported_image"), tuple("pets/dog/fake.png", "invalid_image"),
                tuple("pets/stray.png", "unexpected_entry"));
    }
}
