package dev.slicefine.engine.eval;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expected values printed by scripts/eval_reference.py (numpy, scikit-learn's definitions), pasted as constants. */
class MetricsTest {
    private static final List<String> LABELS = List.of("a", "b", "c", "d");
    private static final int[] GOLD = {0, 0, 1, 1, 1, 2, 2, 0, 1, -1, 2, 0, -1};
    private static final String[] GOLD_NAMES = {"a", "a", "b", "b", "b", "c", "c", "a", "b", "zebra", "c", "a", "zebra"};
    private static final int[] PRED = {0, 1, 1, 1, 0, 2, 1, 0, 1, 2, 3, 0, 0};
    private static final double[] LOSS = {0.1, 1.2, 0.3, 0.2, 2.0, 0.4, 1.5, 0.05, 0.25, 9.0, 3.0, 0.15, 9.0};

    @Test
    void classificationScoresEqualTheIndependentReference() {
        ClassificationMetrics m = ClassificationMetrics.compute(LABELS, GOLD, GOLD_NAMES, PRED, LOSS);
        assertThat(m.accuracy()).isCloseTo(0.6363636363636364, within(1e-12));
        assertThat(m.macroF1()).isCloseTo(0.47916666666666663, within(1e-12));
        assertThat(m.weightedF1()).isCloseTo(0.6515151515151515, within(1e-12));
        assertThat(m.meanLoss()).isCloseTo(0.8318181818181819, within(1e-12));
        double[] precision = {0.75, 0.6, 1.0, 0.0};
        double[] recall = {0.75, 0.75, 0.3333333333333333, 0.0};
        double[] f1 = {0.75, 0.6666666666666665, 0.5, 0.0};
        long[] support = {4, 4, 3, 0};
        for (int i = 0; i < 4; i++) {
            ClassificationMetrics.LabelScores s = m.perLabel().get(i);
            assertThat(s.label()).isEqualTo(LABELS.get(i));
            assertThat(s.precision()).as("precision " + i).isCloseTo(precision[i], within(1e-12));
            assertThat(s.recall()).as("recall " + i).isCloseTo(recall[i], within(1e-12));
            assertThat(s.f1()).as("f1 " + i).isCloseTo(f1[i], within(1e-12));
            assertThat(s.support()).isEqualTo(support[i]);
        }
        assertThat(m.confusionMatrix()).isDeepEqualTo(new long[][] {{3, 1, 0, 0}, {1, 3, 0, 0}, {0, 1, 1, 1}, {0, 0, 0, 0}});
    }

    @Test
    void examplesWithALabelTheModelDoesNotKnowAreCountedNotScored() {
        ClassificationMetrics m = ClassificationMetrics.compute(LABELS, GOLD, GOLD_NAMES, PRED, LOSS);
        assertThat(m.examples()).isEqualTo(13);
        assertThat(m.evaluated()).isEqualTo(11);
        assertThat(m.unknownLabelCount()).isEqualTo(2);
        assertThat(m.unknownLabels()).isEqualTo(Map.of("zebra", 2L));
    }

    @Test
    void lmLossIsTokenWeightedAndExactMatchCountsOnlyPromptedExamples() {
        LmMetrics m = LmMetrics.compute(new double[] {3.0, 1.5, 6.25, 0.5}, new long[] {4, 2, 5, 1},
                new Boolean[] {true, false, null, true});
        assertThat(m.meanLoss()).isCloseTo(0.9375, within(1e-12));
        assertThat(m.perplexity()).isCloseTo(2.553589458062927, within(1e-12));
        assertThat(m.tokens()).isEqualTo(12);
        assertThat(m.exactMatchExamples()).isEqualTo(3);
        assertThat(m.exactMatch()).isCloseTo(2 / 3.0, within(1e-12));
    }
}
