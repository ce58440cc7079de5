package dev.slicefine.bench;

import dev.slicefine.engine.cli.Args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** slicefine bench: option parsing, the tables and ratio lines, a tiny interleaved step run, the skipped quality run. */
public class BenchCommandTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static Args stepArgs(String... a) {
        String[] argv = new String[a.length + 2];
        argv[0] = "bench";
        argv[1] = "step";
        System.arraycopy(a, 0, argv, 2, a.length);
        return new Args("bench step", argv, 2, BenchCommand.STEP_OPTIONS, Set.of());
    }

    @Test
    void stepOptionsHaveTheIssueDefaults() {
        StepBench.Options o = BenchCommand.stepOptions(stepArgs());
        assertThat(o.shape().name()).isEqualTo("bert-base");
        assertThat(o.shape().parameterCount()).isEqualTo(109_483_778L);
        assertThat(o.batch()).isEqualTo(8);
        assertThat(o.seq()).isEqualTo(128);
        assertThat(o.steps()).isEqualTo(5);
        assertThat(o.warmup()).isEqualTo(2);
        assertThat(o.methods()).containsExactly("full", "lora", "slicefine-column", "slicefine-row");
    }

    @Test
    void stepOptionsParseBothSpellingsAndOneMethod() {
        StepBench.Options o = BenchCommand.stepOptions(stepArgs("--model-shape=tiny", "--batch", "2", "--seq=16", "--steps", "3",
                "--warmup", "0", "--methods", "lora, full,lora"));
        assertThat(o.shape().layers()).isEqualTo(2);
        assertThat(o.shape().hidden()).isEqualTo(64);
        assertThat(List.of(o.batch(), o.seq(), o.steps(), o.warmup())).containsExactly(2, 16, 3, 0);
        assertThat(o.methods()).containsExactly("lora", "full");
        assertThat(BenchCommand.stepOptions(stepArgs("--method", "slicefine-row")).methods()).containsExactly("slicefine-row");
        assertThat(BenchCommand.stepOptions(stepArgs("--methods", "head,slicefine-column")).methods()).containsExactly("head", "slicefine-column");
    }

    @Test
    void badStepOptionsAreUsageErrors() {
        assertThatThrownBy(() -> BenchCommand.stepOptions(stepArgs("--methods", "full,dora"))).isInstanceOf(Args.UsageException.class)
                .hasMessageContaining("unknown value 'dora'");
        assertThatThrownBy(() -> BenchCommand.stepOptions(stepArgs("--steps", "0"))).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BenchCommand.stepOptions(stepArgs("--batch", "x"))).hasMessageContaining("must be an integer");
        assertThatThrownBy(() -> BenchCommand.stepOptions(stepArgs("--model-shape", "gpt"))).hasMessageContaining("bert-base, tiny");
        assertThatThrownBy(() -> BenchCommand.stepOptions(stepArgs("--seq", "1000"))).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> stepArgs("--bogus", "1")).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> stepArgs("--batch")).hasMessageContaining("needs a value");
        Result r = run("bench", "step", "--mode", "fast");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--mode must be one of time, rss");
        assertThat(run("bench", "nope").code()).isEqualTo(2);
        assertThat(run("bench").code()).isEqualTo(2);
        assertThat(run("bench", "--help").out()).contains("bench step").contains("bench quality");
    }

    @Test
    void predictNeedsTheSharedFolderAndSkipsWhatIsMissing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        assertThat(BenchCommand.run(new String[] {"bench", "predict"}, new java.io.PrintStream(out), new java.io.PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("--shared DIR is required");
        assertThat(BenchCommand.run(new String[] {"bench", "predict", "--shared", empty.toString()}, new java.io.PrintStream(out),
                new java.io.PrintStream(err))).isZero();
        assertThat(out.toString()).contains("classifier part skipped").contains("generation part skipped")
                .contains("{\"bench\":\"predict\"");
        assertThat(PredictBench.quantiles(List.of(5.0, 1.0, 3.0, 2.0, 4.0))).containsExactly(3.0, 5.0);
    }

    @Test
    void medianAndTableFormatting() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(Stats.median(List.of())).isNaN();
        assertThat(Stats.ratioLine("a / b", 70, 100, 0.8)).isEqualTo("a / b = 0.700 (target <= 0.80: met)");
        assertThat(Stats.ratioLine("a / b", 110, 100, 1.0)).isEqualTo("a / b = 1.100 (target <= 1.00: NOT met)");
        assertThat(Stats.ratioLine("a / b", Double.NaN, 100, 1.0)).contains("n/a");
        String t = Stats.table(List.of("method", "ms"), List.of(List.of("full", "1234.5"), List.of("slicefine-column", "9.0")));
        assertThat(t).isEqualTo("""
                method                ms
                ----------------  ------
                full              1234.5
                slicefine-column     9.0
                """);
    }

    @Test
    void timeReportPrintsRatiosAgainstTheTargetsAndJson() throws Exception {
        StepBench.Options o = BenchCommand.stepOptions(stepArgs());
        List<StepBench.MethodResult> results = List.of(
                new StepBench.MethodResult("full", 100, List.of(1000.0, 1200.0, 1100.0), List.of(3000.0)),
                new StepBench.MethodResult("lora", 10, List.of(700.0, 800.0, 900.0), List.of()),
                new StepBench.MethodResult("slicefine-column", 5, List.of(850.0, 850.0, 900.0), List.of()));
        String s = BenchCommand.timeReport(o, results);
        assertThat(s).contains("slicefine-column / full = 0.773 (target <= 0.80: met)")
                .contains("slicefine-column / lora = 1.063 (target <= 1.00: NOT met)")
                .contains("full                           100     1100.0  1000.0  1200.0      3");
        JsonNode j = new ObjectMapper().readTree(lastLine(s));
        assertThat(j.get("methods").get(0).get("median_ms").asDouble()).isEqualTo(1100.0);
        assertThat(j.get("ratios").get("slicefine_column_over_full").get("met").asBoolean()).isTrue();
        assertThat(j.get("ratios").get("slicefine_column_over_lora").get("met").asBoolean()).isFalse();
    }

    @Test
    void rssReportComparesSliceFineWithLoraAndFull() throws Exception {
        StepBench.Options o = BenchCommand.stepOptions(stepArgs("--methods", "full,lora,slicefine-column"));
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> children = new ArrayList<>(Arrays.asList(
                m.readTree("{\"method\":\"full\",\"trainable_parameters\":9,\"peak_rss_kib\":4194304,\"median_ms\":5}"),
                m.readTree("{\"method\":\"lora\",\"trainable_parameters\":3,\"peak_rss_kib\":2097152,\"median_ms\":4}"),
                m.readTree("{\"method\":\"slicefine-column\",\"trainable_parameters\":1,\"peak_rss_kib\":2048000,\"median_ms\":3}")));
        String s = BenchCommand.rssReport(o, children);
        assertThat(s).contains("slicefine-column peak RSS below lora's (2000 vs 2048 MiB, -48 MiB)")
                .contains("slicefine-column peak RSS below full's");
        JsonNode j = m.readTree(lastLine(s));
        assertThat(j.get("comparisons").get("slicefine-column_below_lora").asBoolean()).isTrue();
        children.set(1, null);
        assertThat(BenchCommand.rssReport(o, children)).contains("failed");
    }

    @Test
    void tinyInterleavedStepRunReportsEveryMethod() throws Exception {
        Result r = run("bench", "step", "--model-shape", "tiny", "--batch", "2", "--seq", "16", "--steps", "2", "--warmup", "1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(lastLine(r.out()));
        assertThat(j.get("methods")).hasSize(4);
        List<String> names = new ArrayList<>();
        for (JsonNode m : j.get("methods")) {
            names.add(m.get("method").asText());
            assertThat(m.get("median_ms").asDouble()).as(m.toString()).isPositive();
            assertThat(m.get("step_ms")).hasSize(2);
            assertThat(m.get("warmup_ms")).hasSize(1);
            assertThat(m.get("trainable_parameters").asLong()).isPositive();
        }
        assertThat(names).containsExactly("full", "lora", "slicefine-column", "slicefine-row");
        assertThat(r.out()).contains("slicefine-column / full = ").contains("slicefine-column / lora = ");
    }

    @Test
    void qualityWithoutTheSharedFolderIsSkipped() {
        Result r = run("bench", "quality", "--shared", tmp.resolve("absent").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("bench quality: skipped");
        assertThat(run("bench", "quality").code()).isEqualTo(2);
    }

    @Test
    void qualityRecipeFollowsTheAnchors() {
        String[] argv = {"bench", "quality", "--shared", "/x", "--methods", "slicefine,head", "--limit", "100"};
        QualityBench.Options o = QualityBench.options(new Args("bench quality", argv, 2, QualityBench.OPTIONS, Set.of("child")));
        assertThat(o.methods()).containsExactly("slicefine", "head");
        assertThat(o.datasets()).containsExactly("fortunes8", "spam-assassin");
        assertThat(o.lr("slicefine")).isEqualTo(5e-3);
        assertThat(o.lr("full")).isEqualTo(5e-5);
        var tc = QualityBench.trainConfig(o, "slicefine", 100);
        assertThat(tc.epochs()).isEqualTo(4);
        assertThat(tc.batchSize()).isEqualTo(32);
        assertThat(tc.maxSeqLen()).isEqualTo(128);
        assertThat(tc.warmupSteps()).isEqualTo(1);
        assertThat(tc.gradClip()).isZero();
        assertThat(tc.weightDecay()).isZero();
        assertThat(QualityBench.trainConfig(o, "full", 3200).warmupSteps()).isEqualTo(40);
    }
}
