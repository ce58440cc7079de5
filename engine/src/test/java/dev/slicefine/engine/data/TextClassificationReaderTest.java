package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSONL and CSV text classification: fields, pairs, label types and label order. */
class TextClassificationReaderTest {
    static TextTokenizer tok;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tok = DataFiles.wordpiece();
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private DatasetOptions opts() {
        return DatasetOptions.textClassification(tok, 16);
    }

    @Test
    void readsJsonlTextsWithSortedStringLabels() {
        Path f = DataFiles.lines(dir, "train.jsonl",
                "{\"text\": \"the quick brown fox\", \"label\": \"pos\"}",
                "",
                "{\"text\": \"lazy dog\", \"label\": \"neg\", \"extra\": 1}");
        Dataset d = DatasetReader.read(f, opts());

        assertThat(d.labels()).containsExactly("neg", "pos");
        assertThat(d.size()).isEqualTo(2);
        Example.Text first = (Example.Text) d.examples().get(0);
        assertThat(first.line()).isEqualTo(1);
        assertThat(first.inputIds()).containsExactly(tok.encode("the quick brown fox").ids());
        assertThat(first.label()).isEqualTo(1);
        assertThat(first.tokenTypeIds()).isNull();
        assertThat(first.specialSuffix()).isEqualTo(1);
        assertThat(((Example.Text) d.examples().get(1)).line()).isEqualTo(3);
        assertThat(d.report().totalLines()).isEqualTo(3);
        assertThat(d.report().labels()).containsExactly(
                java.util.Map.entry("neg", 1L), java.util.Map.entry("pos", 1L));
    }

    @Test
    void pairsKeepTheirTokenTypeIds() {
        Path f = DataFiles.lines(dir, "pairs.jsonl",
                "{\"text\": \"quick fox\", \"text_pair\": \"lazy dog\", \"label\": \"yes\"}");
        Example.Text e = (Example.Text) DatasetReader.read(f, opts()).examples().get(0);

        TextTokenizer.Encoded expected = tok.encode("quick fox", "lazy dog");
        assertThat(e.inputIds()).containsExactly(expected.ids());
        assertThat(e.tokenTypeIds()).containsExactly(expected.typeIds()).contains(0L, 1L);
    }

    @Test
    void integerLabelsAreOrderedNumerically() {
        Path f = DataFiles.lines(dir, "ints.jsonl",
                "{\"text\": \"a\", \"label\": 10}",
                "{\"text\": \"b\", \"label\": 2}",
                "{\"text\": \"c\", \"label\": 0}");
        Dataset d = DatasetReader.read(f, opts());

        assertThat(d.labels()).containsExactly("0", "2", "10");
        assertThat(d.examples()).extracting(Example::label).containsExactly(2, 1, 0);
    }

    @Test
    void explicitLabelListFixesClassIds() {
        Path f = DataFiles.lines(dir, "fixed.jsonl",
                "{\"text\": \"a\", \"label\": \"pos\"}",
                "{\"text\": \"b\", \"label\": \"neg\"}");
        Dataset d = DatasetReader.read(f, opts().withLabels(List.of("pos", "neutral", "neg")));

        assertThat(d.labels()).containsExactly("pos", "neutral", "neg");
        assertThat(d.examples()).extracting(Example::label).containsExactly(0, 2);
        assertThat(d.report().labels()).containsEntry("neutral", 0L);
    }

    @Test
    void csvHandlesQuotedCommasDoubledQuotesAndNewlines() {
        Path f = DataFiles.write(dir, "train.csv",
                "\uFEFFid,text,label\r\n"
                        + "1,\"quick, brown fox\",pos\r\n"
                        + "2,\"she said \"\"lazy\"\" dog\",neg\r\n"
                        + "3,\"two\nlines\",pos\r\n"
                        + "4,plain,neg");
        Dataset d = DatasetReader.read(f, opts());

        assertThat(d.size()).isEqualTo(4);
        assertThat(d.examples()).extracting(e -> ((Example.Text) e).line()).containsExactly(2, 3, 4, 6);
        assertThat(((Example.Text) d.examples().get(0)).inputIds()).containsExactly(tok.encode("quick, brown fox").ids());
        assertThat(((Example.Text) d.examples().get(1)).inputIds()).containsExactly(tok.encode("she said \"lazy\" dog").ids());
        assertThat(((Example.Text) d.examples().get(2)).inputIds()).containsExactly(tok.encode("two\nlines").ids());
        assertThat(d.labels()).containsExactly("neg", "pos");
        assertThat(d.report().totalLines()).isEqualTo(6);
    }

    @Test
    void csvTextPairColumnMakesPairsAndAnEmptyCellMeansNoPair() {
        Path f = DataFiles.lines(dir, "pairs.csv",
                "text,text_pair,label",
                "quick fox,lazy dog,a",
                "quick fox,,b");
        Dataset d = DatasetReader.read(f, opts());

        assertThat(((Example.Text) d.examples().get(0)).inputIds()).containsExactly(tok.encode("quick fox", "lazy dog").ids());
        assertThat(((Example.Text) d.examples().get(1)).tokenTypeIds()).isNull();
    }

    @Test
    void limitKeepsTheFirstValidExamples() {
        Path f = DataFiles.lines(dir, "many.jsonl",
                "{\"text\": \"a\", \"label\": \"x\"}",
                "{\"text\": \"b\", \"label\": \"y\"}",
                "{\"text\": \"c\", \"label\": \"z\"}");
        Dataset d = DatasetReader.read(f, opts().withLimit(2));

        assertThat(d.size()).isEqualTo(2);
        assertThat(d.labels()).containsExactly("x", "y");
        assertThat(d.report().totalLines()).isEqualTo(2);
    }

    @Test
    void reportsTokenPercentilesAndTruncation() {
        StringBuilder sb = new StringBuilder();
        for (int n = 1; n <= 10; n++) {
            sb.append("{\"text\": \"").append("fox ".repeat(n).trim()).append("\", \"label\": \"l\"}\n");
        }
        Path f = DataFiles.write(dir, "lengths.jsonl", sb.toString());
        ValidationReport r = DatasetReader.validate(f, DatasetOptions.textClassification(tok, 10));

        // lengths are n + 2 ([CLS] … [SEP]) for n = 1..10: 3..12
        assertThat(r.tokens()).isEqualTo(new ValidationReport.TokenStats(7, 11, 12, 12, 10, 2, 0));
    }

    @Test
    void validatesWithoutATokenizer() {
        Path f = DataFiles.lines(dir, "plain.jsonl", "{\"text\": \"a\", \"label\": \"x\"}");
        ValidationReport r = DatasetReader.validate(f, DatasetOptions.textClassification(null, 0));

        assertThat(r.ok()).isTrue();
        assertThat(r.tokens()).isNull();
        assertThat(r.validExamples()).isEqualTo(1);
    }
}
