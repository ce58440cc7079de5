package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a dataset file can be wrong is an issue with its line and field; read() refuses, validate() reports. */
class ValidationIssuesTest {
    @TempDir
    Path dir;

    private static final DatasetOptions CLS = DatasetOptions.textClassification(null, 0);
    private static final DatasetOptions LM = DatasetOptions.causalLm(null, 0, null);

    private ValidationReport validate(DatasetOptions o, String name, String... lines) {
        return DatasetReader.validate(DataFiles.lines(dir, name, lines), o);
    }

    private static Issue only(ValidationReport r) {
        assertThat(r.issues()).hasSize(1);
        return r.issues().get(0);
    }

    @Test
    void badJsonNamesItsLine() {
        ValidationReport r = validate(CLS, "a.jsonl", "{\"text\": \"ok\", \"label\": \"x\"}", "{\"text\": \"oops\",");
        Issue i = only(r);
        assertThat(i.line()).isEqualTo(2);
        assertThat(i.message()).startsWith("invalid JSON");
        assertThat(i.toString()).startsWith("line 2: invalid JSON");
        assertThat(r.validExamples()).isEqualTo(1);
    }

    @Test
    void trailingContentAfterTheObjectIsBadJson() {
        assertThat(only(validate(CLS, "a.jsonl", "{\"text\": \"a\", \"label\": \"x\"} {}")).message()).startsWith("invalid JSON");
    }

    @Test
    void aLineThatIsNotAnObjectIsAnIssue() {
        Issue i = only(validate(CLS, "a.jsonl", "[1, 2]"));
        assertThat(i.toString()).isEqualTo("line 1: expected a JSON object, got an array");
    }

    @Test
    void missingTextAndLabelAreEachReported() {
        ValidationReport r = validate(CLS, "a.jsonl", "{\"txt\": \"a\"}");
        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "line 1, text: missing field 'text'", "line 1, label: missing field 'label'");
        assertThat(r.issueCount()).isEqualTo(2);
    }

    @Test
    void emptyTextAndEmptyLabelAreIssues() {
        ValidationReport r = validate(CLS, "a.jsonl", "{\"text\": \"  \", \"label\": \"x\"}", "{\"text\": \"a\", \"label\": \"\"}");
        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "line 1, text: text is empty", "line 2, label: label is empty");
    }

    @Test
    void wrongTypesAreNamed() {
        ValidationReport r = validate(CLS, "a.jsonl",
                "{\"text\": 5, \"label\": \"x\"}",
                "{\"text\": \"a\", \"label\": 1.5}",
                "{\"text\": \"a\", \"label\": true}",
                "{\"text\": \"a\", \"text_pair\": [\"b\"], \"label\": \"x\"}");
        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "line 1, text: text must be a string, got a number (5)",
                "line 2, label: label must be a string or an integer, got a number (1.5)",
                "line 3, label: label must be a string or an integer, got a boolean (true)",
                "line 4, text_pair: text_pair must be a string, got an array");
    }

    @Test
    void mixedStringAndIntegerLabelsAreAnIssue() {
        Issue i = only(validate(CLS, "a.jsonl",
                "{\"text\": \"a\", \"label\": \"pos\"}",
                "{\"text\": \"b\", \"label\": \"neg\"}",
                "{\"text\": \"c\", \"label\": 1}"));
        assertThat(i.line()).isEqualTo(3);
        assertThat(i.field()).isEqualTo("label");
        assertThat(i.message()).contains("label is an integer but the label on line 1 is a string");
    }

    @Test
    void unknownLabelAgainstAnExplicitListNamesTheLine() {
        Issue i = only(validate(CLS.withLabels(List.of("pos", "neg")), "a.jsonl",
                "{\"text\": \"a\", \"label\": \"pos\"}", "{\"text\": \"b\", \"label\": \"meh\"}"));
        assertThat(i.toString()).isEqualTo("line 2, label: unknown label 'meh' (the labels are [pos, neg])");
    }

    @Test
    void emptyFileIsAnIssue() {
        assertThat(only(DatasetReader.validate(DataFiles.write(dir, "e.jsonl", ""), CLS)).message()).isEqualTo("the file is empty");
        assertThat(only(DatasetReader.validate(DataFiles.write(dir, "blank.jsonl", "\n  \n"), CLS)).message())
                .isEqualTo("the file is empty (no line has data)");
    }

    @Test
    void unknownExtensionIsAnIssue() {
        Issue i = only(DatasetReader.validate(DataFiles.write(dir, "a.txt", "hello"), CLS));
        assertThat(i.line()).isZero();
        assertThat(i.message()).contains("unknown extension").contains(".jsonl or .csv");
        assertThat(only(DatasetReader.validate(DataFiles.write(dir, "lm.csv", "text\nhi"), LM)).message())
                .contains("unknown extension");
    }

    @Test
    void csvRowWithTheWrongNumberOfColumnsNamesItsLine() {
        ValidationReport r = validate(CLS, "a.csv", "text,label", "\"a, b\",x", "c,y,extra", "d");
        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "line 3: expected 2 columns as in the header, got 3",
                "line 4: expected 2 columns as in the header, got 1");
        assertThat(r.validExamples()).isEqualTo(1);
    }

    @Test
    void csvWithoutTheRequiredColumnsIsAnIssue() {
        Issue i = only(validate(CLS, "a.csv", "sentence,label", "a,x"));
        assertThat(i.toString()).isEqualTo("line 1, text: the CSV header has no 'text' column (header: [sentence, label])");
    }

    @Test
    void csvUnterminatedQuoteAndStrayQuoteAreIssues() {
        ValidationReport r = validate(CLS, "a.csv", "text,label", "\"bad\"x,y", "ok,z", "\"never closed,z");
        assertThat(r.issues()).extracting(Issue::line).containsExactly(2, 4);
        assertThat(r.issues().get(0).message()).contains("after a closing quote");
        assertThat(r.issues().get(1).message()).startsWith("unterminated quoted field");
    }

    @Test
    void causalLmNeedsBothPromptAndCompletionOrText() {
        ValidationReport r = validate(LM, "lm.jsonl",
                "{\"prompt\": \"q\"}",
                "{\"completion\": \"a\", \"prompt\": \"\"}",
                "{\"body\": \"x\"}",
                "{\"text\": 3}");
        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "line 1, completion: missing field 'completion'",
                "line 2, prompt: prompt is empty",
                "line 3, text: missing field 'text' (a causal-LM line is {\"text\"} or {\"prompt\", \"completion\"})",
                "line 4, text: text must be a string, got a number (3)");
    }

    @Test
    void keepsTheFirstHundredIssuesAndCountsAll() {
        String[] lines = new String[150];
        java.util.Arrays.fill(lines, "not json");
        ValidationReport r = validate(CLS, "bad.jsonl", lines);
        assertThat(r.issues()).hasSize(ValidationReport.MAX_ISSUES);
        assertThat(r.issueCount()).isEqualTo(150);
        assertThat(r.issues().get(99).line()).isEqualTo(100);
        assertThat(r.totalLines()).isEqualTo(150);
    }

    @Test
    void readThrowsWithTheReportWhenAnyLineIsBad() {
        Path f = DataFiles.lines(dir, "a.jsonl", "{\"text\": \"a\", \"label\": \"x\"}", "{}");
        try (var tok = DataFiles.wordpiece()) {
            assertThatThrownBy(() -> DatasetReader.read(f, DatasetOptions.textClassification(tok, 0)))
                    .isInstanceOf(DatasetException.class)
                    .hasMessageContaining("line 2, text: missing field 'text'")
                    .satisfies(e -> assertThat(((DatasetException) e).report().issueCount()).isEqualTo(2));
        }
    }

    @Test
    void readThrowsOnAFileWithoutAValidExampleEvenWithoutIssues() {
        ValidationReport empty = ValidationReport.counts(Task.TEXT_CLASSIFICATION, 0, java.util.Map.of());
        assertThat(empty.ok()).isFalse();
        assertThat(new DatasetException(empty)).hasMessage("the dataset has no valid example");
    }

    @Test
    void aMissingFileIsAnIssueNotAnException() {
        assertThat(only(DatasetReader.validate(dir.resolve("nope.jsonl"), CLS)).message()).isEqualTo("nope.jsonl does not exist");
    }
}
