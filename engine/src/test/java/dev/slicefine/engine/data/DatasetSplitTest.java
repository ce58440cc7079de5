package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deterministic, stratified train/test splits. */
class DatasetSplitTest {

    static Dataset labelled(int... counts) {
        List<Example> ex = new ArrayList<>();
        int line = 1;
        List<String> labels = new ArrayList<>();
        for (int label = 0; label < counts.length; label++) {
            labels.add("l" + label);
            for (int i = 0; i < counts[label]; i++) {
                ex.add(new Example.Text(line++, new long[] {line}, null, 0, label));
            }
        }
        return new Dataset(Task.TEXT_CLASSIFICATION, ex, labels, ExampleBatchesTest.report(ex.size()));
    }

    @Test
    void stratifiesEachLabelByTheRatio() {
        DatasetSplit.Split s = DatasetSplit.split(labelled(80, 20, 1), 0.25, 1);

        assertThat(s.test().labelCounts()).containsExactly(
                java.util.Map.entry("l0", 20L), java.util.Map.entry("l1", 5L), java.util.Map.entry("l2", 0L));
        assertThat(s.train().labelCounts()).containsEntry("l0", 60L).containsEntry("l1", 15L).containsEntry("l2", 1L);
        assertThat(s.test().report().validExamples()).isEqualTo(25);
        assertThat(s.test().report().labels()).containsEntry("l1", 5L);
        assertThat(s.train().labels()).isEqualTo(s.test().labels());
    }

    @Test
    void sameSeedSameSplitAndBothSidesKeepFileOrder() {
        Dataset d = labelled(30, 30);
        DatasetSplit.Split a = DatasetSplit.split(d, 0.2, 9);
        DatasetSplit.Split b = DatasetSplit.split(d, 0.2, 9);
        DatasetSplit.Split c = DatasetSplit.split(d, 0.2, 10);

        assertThat(lines(a.test())).isEqualTo(lines(b.test())).isNotEqualTo(lines(c.test()));
        assertThat(lines(a.train())).isSorted();
        assertThat(lines(a.test())).isSorted();
        List<Integer> all = new ArrayList<>(lines(a.train()));
        all.addAll(lines(a.test()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(lines(d));
    }

    @Test
    void causalLmSplitsAsOneGroup() {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ex.add(new Example.Lm(i + 1, new long[] {i}, new long[] {i}));
        }
        Dataset d = new Dataset(Task.CAUSAL_LM, ex, List.of(), ExampleBatchesTest.report(10));
        DatasetSplit.Split s = DatasetSplit.split(d, 0.3, 0);

        assertThat(s.test().size()).isEqualTo(3);
        assertThat(s.train().size()).isEqualTo(7);
        assertThat(s.test().report().labels()).isEmpty();
    }

    private static List<Integer> lines(Dataset d) {
        return d.examples().stream().map(e -> ((Example.Text) e).line()).toList();
    }
}
