package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Causal-LM sequences: prompt ++ completion (without its BOS) ++ EOS, with the prompt masked as -100 in labels. */
class CausalLmReaderTest {
    static TextTokenizer bpe;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        bpe = DataFiles.bpe();
    }

    @AfterAll
    static void close() {
        bpe.close();
    }

    @Test
    void theBpeTokenizerAddsBosOnlyAndTheProbeSeesIt() {
        assertThat(SpecialTokens.probe(bpe)).isEqualTo(new SpecialTokens(1, 0));
        try (TextTokenizer wp = DataFiles.wordpiece()) {
            assertThat(SpecialTokens.probe(wp)).isEqualTo(new SpecialTokens(1, 1));
        }
    }

    @Test
    void promptIsMaskedAndCompletionLosesItsBosAndGainsEos() {
        Path f = DataFiles.lines(dir, "lm.jsonl", "{\"prompt\": \"Question: why?\", \"completion\": \" Because.\"}");
        Example.Lm e = (Example.Lm) DatasetReader.read(f, DatasetOptions.causalLm(bpe, 64, 2)).examples().get(0);

        long[] prompt = bpe.encode("Question: why?").ids();
        long[] completion = bpe.encode(" Because.").ids();
        assertThat(prompt[0]).as("BOS kept on the prompt").isZero();
        assertThat(completion[0]).isZero();
        long[] rest = Arrays.copyOfRange(completion, 1, completion.length);

        long[] expectedIds = LongStream.concat(LongStream.concat(Arrays.stream(prompt), Arrays.stream(rest)), LongStream.of(2)).toArray();
        assertThat(e.inputIds()).containsExactly(expectedIds);
        long[] expectedLabels = expectedIds.clone();
        Arrays.fill(expectedLabels, 0, prompt.length, -100L);
        assertThat(e.labels()).containsExactly(expectedLabels);
        assertThat(e.label()).isEqualTo(-1);
    }

    @Test
    void textOnlyExamplesTakeLossOnEveryToken() {
        Path f = DataFiles.lines(dir, "lm.jsonl", "{\"text\": \"Hello world\"}");
        Dataset d = DatasetReader.read(f, DatasetOptions.causalLm(bpe, 0, null));
        Example.Lm e = (Example.Lm) d.examples().get(0);

        assertThat(e.inputIds()).containsExactly(bpe.encode("Hello world").ids());
        assertThat(e.labels()).containsExactly(e.inputIds());
        assertThat(d.labels()).isEmpty();
        assertThat(d.report().labels()).isEmpty();
    }

    @Test
    void countsExamplesWhosePromptFillsTheContext() {
        Path f = DataFiles.lines(dir, "lm.jsonl",
                "{\"prompt\": \"a b c d e f g h\", \"completion\": \" x\"}",
                "{\"prompt\": \"a\", \"completion\": \" x\"}");
        int promptLen = bpe.encode("a b c d e f g h").ids().length;
        ValidationReport r = DatasetReader.validate(f, DatasetOptions.causalLm(bpe, promptLen, 2));

        assertThat(r.tokens().noLossTokens()).isEqualTo(1);
        assertThat(r.tokens().truncated()).isEqualTo(1);
        assertThat(r.tokens().max()).isEqualTo(promptLen + bpe.encode(" x").ids().length - 1 + 1);
    }

    @Test
    void bertStyleTokenizerLosesTrailingSeparatorsBetweenPromptAndCompletion() {
        try (TextTokenizer wp = DataFiles.wordpiece()) {
            Path f = DataFiles.lines(dir, "lm.jsonl", "{\"prompt\": \"quick fox\", \"completion\": \"lazy dog\"}");
            Example.Lm e = (Example.Lm) DatasetReader.read(f, DatasetOptions.causalLm(wp, 0, 3)).examples().get(0);
            long[] p = wp.encode("quick fox").ids();
            long[] c = wp.encode("lazy dog").ids();
            // [CLS] quick fox | lazy dog | eos=[SEP]
            long[] expected = LongStream.concat(LongStream.concat(Arrays.stream(p, 0, p.length - 1),
                    Arrays.stream(c, 1, c.length - 1)), LongStream.of(3)).toArray();
            assertThat(e.inputIds()).containsExactly(expected);
        }
    }
}
