package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Custom field names, the stable issue codes, the summary a report carries and the task a layout implies. */
class FieldNamesAndCodesTest {
    @TempDir
    Path dir;

    private static final DatasetFields CUSTOM = new DatasetFields("sentence", "topic", "context", "question", "answer");

    @Test
    void aJsonlWithCustomFieldNamesReadsAsTheDefaultNamesWould() {
        Path custom = DataFiles.lines(dir, "c.jsonl",
                "{\"sentence\": \"the slice moves\", \"topic\": \"a\", \"context\": \"rows\"}",
                "{\"sentence\": \"weights stay frozen\", \"topic\": \"b\"}");
        Path plain = DataFiles.lines(dir, "p.jsonl",
                "{\"text\": \"the slice moves\", \"label\": \"a\", \"text_pair\": \"rows\"}",
                "{\"text\": \"weights stay frozen\", \"label\": \"b\"}");
        try (TextTokenizer tok = DataFiles.wordpiece()) {
            Dataset c = DatasetReader.read(custom, DatasetOptions.textClassification(tok, 32).withFields(CUSTOM));
            Dataset p = DatasetReader.read(plain, DatasetOptions.textClassification(tok, 32));
            assertThat(c.labels()).isEqualTo(p.labels()).containsExactly("a", "b");
            for (int i = 0; i < 2; i++) {
                Example.Text a = (Example.Text) c.examples().get(i);
                Example.Text b = (Example.Text) p.examples().get(i);
                assertThat(a.inputIds()).isEqualTo(b.inputIds());
                assertThat(a.tokenTypeIds()).isEqualTo(b.tokenTypeIds());
                assertThat(a.label()).isEqualTo(b.label());
            }
            assertThat(c.report().columns()).containsExactly("sentence", "topic", "context");
            assertThat(c.report().previews().get(0)).containsExactly(Map.entry("sentence", "the slice moves"),
                    Map.entry("context", "rows"), Map.entry("topic", "a"));
        }
        // The default names are not read when custom ones are given.
        ValidationReport r = DatasetReader.validate(plain, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, CUSTOM));
        assertThat(r.issues()).extracting(Issue::line, Issue::field, Issue::code).contains(
                org.assertj.core.groups.Tuple.tuple(1, "sentence", IssueCode.MISSING_FIELD));
    }

    @Test
    void aCsvAndACausalLmFileWithCustomNames() {
        Path csv = DataFiles.lines(dir, "c.csv", "topic,sentence", "a,\"one, two\"", "b,three", "", "a,four");
        ValidationReport r = DatasetReader.validate(csv, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, CUSTOM));
        assertThat(r.ok()).as(r.issues().toString()).isTrue();
        assertThat(r.format()).isEqualTo("csv");
        assertThat(r.rows()).isEqualTo(3);
        assertThat(r.blankLines()).isEqualTo(1);
        assertThat(r.labelType()).isEqualTo("string");
        assertThat(r.labels()).containsExactly(Map.entry("a", 2L), Map.entry("b", 1L));

        Path lm = DataFiles.lines(dir, "lm.jsonl", "{\"question\": \"2+2?\", \"answer\": \"4\"}", "{\"question\": \"3+3?\", \"answer\": \"6\"}");
        try (TextTokenizer bpe = DataFiles.bpe()) {
            Dataset d = DatasetReader.read(lm, DatasetOptions.causalLm(bpe, 64, 2).withFields(CUSTOM));
            assertThat(d.size()).isEqualTo(2);
            Example.Lm e = (Example.Lm) d.examples().get(0);
            assertThat(e.labels()[0]).isEqualTo(ExampleBatches.IGNORE_INDEX);
            assertThat(e.labels()[e.labels().length - 1]).isEqualTo(2);
            assertThat(d.report().previews().get(0)).containsExactly(Map.entry("question", "2+2?"), Map.entry("answer", "4"));
            assertThat(d.report().labelType()).isNull();
        }
    }

    @Test
    void everyIssueHasAStableCode() {
        Path f = DataFiles.lines(dir, "bad.jsonl",
                "{\"text\": \"ok\", \"label\": \"a\"}",
                "{oops",
                "{\"text\": \"a\", \"text\": \"b\", \"label\": \"a\"}",
                "[1, 2]",
                "{\"label\": \"a\"}",
                "{\"text\": 5, \"label\": \"a\"}",
                "{\"text\": \"  \", \"label\": \"a\"}",
                "{\"text\": \"x\", \"label\": \"\"}",
                "{\"text\": \"x\", \"label\": 1}");
        ValidationReport r = DatasetReader.validate(f, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null));
        assertThat(r.issues()).extracting(Issue::line, Issue::code).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, IssueCode.INVALID_JSON),
                org.assertj.core.groups.Tuple.tuple(3, IssueCode.DUPLICATE_KEY),
                org.assertj.core.groups.Tuple.tuple(4, IssueCode.NOT_AN_OBJECT),
                org.assertj.core.groups.Tuple.tuple(5, IssueCode.MISSING_FIELD),
                org.assertj.core.groups.Tuple.tuple(6, IssueCode.WRONG_TYPE),
                org.assertj.core.groups.Tuple.tuple(7, IssueCode.EMPTY_TEXT),
                org.assertj.core.groups.Tuple.tuple(8, IssueCode.EMPTY_LABEL),
                org.assertj.core.groups.Tuple.tuple(9, IssueCode.INCONSISTENT_LABEL_TYPE));
        assertThat(r.issues().get(1).field()).isEqualTo("text");
        assertThat(r.rows()).isEqualTo(9);
        assertThat(r.validExamples()).isEqualTo(1);
        assertThat(r.invalidRows()).isEqualTo(8);
        assertThat(IssueCode.DUPLICATE_KEY.code()).isEqualTo("duplicate_key");

        Path csv = DataFiles.lines(dir, "bad.csv", "text,label", "a,b,c", "\"x\"y,b");
        assertThat(DatasetReader.validate(csv, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null)).issues())
                .extracting(Issue::code).containsExactly(IssueCode.WRONG_COLUMN_COUNT, IssueCode.MALFORMED_CSV);
        assertThat(DatasetReader.validate(DataFiles.lines(dir, "h.csv", "sentence,label", "a,b"),
                DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null)).issues()).extracting(Issue::code)
                .containsExactly(IssueCode.MISSING_COLUMN);
        assertThat(DatasetReader.validate(DataFiles.write(dir, "e.jsonl", ""),
                DatasetOptions.validation(Task.CAUSAL_LM, null)).issues()).extracting(Issue::code)
                .containsExactly(IssueCode.EMPTY_FILE);
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedNotReadWithReplacementCharacters() throws java.io.IOException {
        Path f = dir.resolve("latin1.jsonl");
        java.nio.file.Files.write(f, "{\"text\": \"caf\u00e9\", \"label\": \"a\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ValidationReport r = DatasetReader.validate(f, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null));
        assertThat(r.ok()).isFalse();
        assertThat(r.issues()).extracting(Issue::code).containsExactly(IssueCode.INVALID_UTF8);
    }

    @Test
    void moreDistinctLabelsThanAClassifierTakesIsOneIssueCountedPerLine() {
        StringBuilder sb = new StringBuilder();
        int n = ValidationReport.MAX_LABELS + 5;
        for (int i = 0; i < n; i++) {
            sb.append("{\"text\": \"t\", \"label\": \"l").append(i).append("\"}\n");
        }
        ValidationReport r = DatasetReader.validate(DataFiles.write(dir, "free.jsonl", sb.toString()),
                DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null));
        assertThat(r.issues()).extracting(Issue::code).containsExactly(IssueCode.TOO_MANY_LABELS);
        assertThat(r.issues().get(0).line()).isEqualTo(ValidationReport.MAX_LABELS + 1);
        assertThat(r.issueCount()).isEqualTo(5);
        assertThat(r.labels()).hasSize(ValidationReport.MAX_LABELS);
    }

    @Test
    void aPromptCompletionFileIsNotAClassificationDatasetAndSaysSo() {
        Path f = DataFiles.lines(dir, "pc.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\"}");
        Issue i = DatasetReader.validate(f, DatasetOptions.validation(Task.TEXT_CLASSIFICATION, null)).issues().get(0);
        assertThat(i.code()).isEqualTo(IssueCode.MISSING_FIELD);
        assertThat(i.message()).contains("causal-lm");
        assertThat(DatasetReader.validate(f, DatasetOptions.validation(Task.CAUSAL_LM, null)).ok()).isTrue();
    }

    @Test
    void theTaskFollowsFromTheLayout() {
        assertThat(DatasetReader.inferTask(DataFiles.lines(dir, "a.jsonl", "", "{\"text\": \"a\", \"label\": 1}"),
                DatasetFields.DEFAULTS)).isEqualTo(Task.TEXT_CLASSIFICATION);
        assertThat(DatasetReader.inferTask(DataFiles.lines(dir, "b.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\"}"),
                DatasetFields.DEFAULTS)).isEqualTo(Task.CAUSAL_LM);
        assertThat(DatasetReader.inferTask(DataFiles.lines(dir, "c.jsonl", "{bad", "{\"text\": \"free text\"}"),
                DatasetFields.DEFAULTS)).isEqualTo(Task.CAUSAL_LM);
        assertThat(DatasetReader.inferTask(DataFiles.lines(dir, "d.jsonl", "{\"sentence\": \"a\", \"topic\": \"b\"}"),
                CUSTOM)).isEqualTo(Task.TEXT_CLASSIFICATION);
        assertThat(DatasetReader.inferTask(DataFiles.lines(dir, "e.csv", "text", "a"), DatasetFields.DEFAULTS))
                .isEqualTo(Task.TEXT_CLASSIFICATION);
        assertThat(DatasetReader.inferTask(dir.resolve("x.zip"), DatasetFields.DEFAULTS)).isEqualTo(Task.IMAGE_CLASSIFICATION);
        assertThat(DatasetReader.inferTask(dir, DatasetFields.DEFAULTS)).isEqualTo(Task.IMAGE_CLASSIFICATION);
    }

    @Test
    void fieldNamesMustBeUsableAndDistinct() {
        assertThat(new DatasetFields(null, null, null, null, null)).isEqualTo(
                new DatasetFields("text", "label", "text_pair", "prompt", "completion"));
        assertThatThrownBy(() -> new DatasetFields("x", "x", null, null, null))
                .hasMessageContaining("text_field, label_field and text_pair_field must differ");
        assertThatThrownBy(() -> new DatasetFields(null, null, null, "", null)).hasMessageContaining("prompt_field");
        assertThat(List.of(new DatasetFields("prompt", null, null, null, null).text())).containsExactly("prompt");
    }
}
