package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.EngineRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Collation (padding, masks, labels, truncation) and the step -> batch function the trainer resumes from. */
class ExampleBatchesTest {
    static NDManager manager;

    @BeforeAll
    static void start() {
        EngineRuntime.configure();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static ValidationReport report(int n) {
        return ValidationReport.counts(Task.TEXT_CLASSIFICATION, n, Map.of());
    }

    static Dataset classification(long[]... ids) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            ex.add(new Example.Text(i + 1, ids[i], null, 1, i % 2));
        }
        return new Dataset(Task.TEXT_CLASSIFICATION, ex, List.of("a", "b"), report(ids.length));
    }

    static Dataset numbered(int n) {
        long[][] ids = new long[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = new long[] {2, 100 + i, 3};
        }
        return classification(ids);
    }

    @Test
    void padsOnTheRightWithThePadIdAndMasksThePadding() {
        ExampleBatches b = ExampleBatches.text(classification(new long[] {2, 10, 11, 3}, new long[] {2, 12, 3}), 2, 0, 0, 0);
        Batch batch = b.evalBatch(0, manager);

        assertThat(batch.inputs().inputIds().getShape()).isEqualTo(new Shape(2, 4));
        assertThat(batch.inputs().inputIds().getDataType()).isEqualTo(DataType.INT64);
        assertThat(batch.inputs().inputIds().toLongArray()).containsExactly(2, 10, 11, 3, 2, 12, 3, 0);
        assertThat(batch.inputs().attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 0);
        assertThat(batch.inputs().tokenTypeIds()).isNull();
        assertThat(batch.labels().getShape()).isEqualTo(new Shape(2));
        assertThat(batch.labels().getDataType()).isEqualTo(DataType.INT64);
        assertThat(batch.labels().toLongArray()).containsExactly(0, 1);
        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.tokens()).isEqualTo(7);
    }

    @Test
    void pairsGetTokenTypeIdsPaddedWithZero() {
        Dataset d = new Dataset(Task.TEXT_CLASSIFICATION, List.of(
                new Example.Text(1, new long[] {2, 10, 3, 11, 3}, new long[] {0, 0, 0, 1, 1}, 1, 0),
                new Example.Text(2, new long[] {2, 12, 3}, null, 1, 0)), List.of("a"), report(2));
        Batch batch = ExampleBatches.text(d, 2, 0, 0, 0).evalBatch(0, manager);

        assertThat(batch.inputs().tokenTypeIds().getShape()).isEqualTo(new Shape(2, 5));
        assertThat(batch.inputs().tokenTypeIds().toLongArray()).containsExactly(0, 0, 0, 1, 1, 0, 0, 0, 0, 0);
    }

    @Test
    void truncationKeepsTheClosingSeparatorOfClassificationInputs() {
        Dataset d = new Dataset(Task.TEXT_CLASSIFICATION, List.of(
                new Example.Text(1, new long[] {2, 10, 11, 12, 13, 3}, new long[] {0, 0, 0, 1, 1, 1}, 1, 0)),
                List.of("a"), report(1));
        Batch batch = ExampleBatches.text(d, 1, 0, 4, 0).evalBatch(0, manager);

        assertThat(batch.inputs().inputIds().toLongArray()).containsExactly(2, 10, 11, 3);
        assertThat(batch.inputs().tokenTypeIds().toLongArray()).containsExactly(0, 0, 0, 1);
    }

    @Test
    void causalLmLabelsAreInputIdsWithPromptAndPaddingIgnored() {
        Dataset d = new Dataset(Task.CAUSAL_LM, List.of(
                new Example.Lm(1, new long[] {1, 50, 51, 60, 2}, new long[] {-100, -100, -100, 60, 2}),
                new Example.Lm(2, new long[] {1, 70, 2}, new long[] {1, 70, 2})), List.of(), report(2));
        Batch batch = ExampleBatches.text(d, 2, 0, 0, 0).evalBatch(0, manager);

        assertThat(batch.labels().getShape()).isEqualTo(new Shape(2, 5));
        assertThat(batch.inputs().inputIds().toLongArray()).containsExactly(1, 50, 51, 60, 2, 1, 70, 2, 0, 0);
        assertThat(batch.inputs().attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        assertThat(batch.labels().toLongArray()).containsExactly(-100, -100, -100, 60, 2, 1, 70, 2, -100, -100);
        assertThat(batch.tokens()).isEqualTo(8);
    }

    @Test
    void causalLmTruncationCutsTheTail() {
        Dataset d = new Dataset(Task.CAUSAL_LM, List.of(
                new Example.Lm(1, new long[] {1, 50, 51, 60, 2}, new long[] {-100, -100, 51, 60, 2})), List.of(), report(1));
        Batch batch = ExampleBatches.text(d, 1, 0, 3, 0).evalBatch(0, manager);

        assertThat(batch.inputs().inputIds().toLongArray()).containsExactly(1, 50, 51);
        assertThat(batch.labels().toLongArray()).containsExactly(-100, -100, 51);
    }

    @Test
    void stepsMapToEpochsAndTheLastBatchKeepsTheRemainder() {
        ExampleBatches b = ExampleBatches.text(numbered(10), 4, 7, 0, 0);

        assertThat(b.stepsPerEpoch()).isEqualTo(3);
        assertThat(b.size()).isEqualTo(10);
        assertThat(IntStream.of(0, 2, 3, 5, 6).map(b::epochOf).toArray()).containsExactly(0, 0, 1, 1, 2);
        assertThat(b.indices(2)).hasSize(2);
        assertThat(b.batch(2, manager).size()).isEqualTo(2);
        assertThat(b.batch(2, manager).inputs().inputIds().getShape()).isEqualTo(new Shape(2, 3));
        int[] epoch1 = IntStream.rangeClosed(3, 5).flatMap(s -> IntStream.of(b.indices(s))).toArray();
        assertThat(epoch1).containsExactlyInAnyOrder(IntStream.range(0, 10).toArray());
    }

    @Test
    void sameSeedAndEpochGiveTheSameOrderAndEpochsDiffer() {
        ExampleBatches a = ExampleBatches.text(numbered(50), 8, 42, 0, 0);
        ExampleBatches resumed = ExampleBatches.text(numbered(50), 8, 42, 0, 0);
        ExampleBatches otherSeed = ExampleBatches.text(numbered(50), 8, 43, 0, 0);

        assertThat(resumed.indices(9)).containsExactly(a.indices(9));
        assertThat(resumed.batch(9, manager).inputs().inputIds().toLongArray())
                .containsExactly(a.batch(9, manager).inputs().inputIds().toLongArray());
        assertThat(a.order(0)).isNotEqualTo(a.order(1));
        assertThat(a.order(0)).isNotEqualTo(otherSeed.order(0));
        assertThat(a.order(1)).containsExactlyInAnyOrder(IntStream.range(0, 50).toArray());
        // the documented recipe: Fisher–Yates with java.util.Random(seed * 31 + epoch)
        int[] expected = IntStream.range(0, 50).toArray();
        java.util.Random rnd = new java.util.Random(42L * 31 + 1);
        for (int i = expected.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertThat(a.order(1)).containsExactly(expected);
    }

    @Test
    void evaluationVisitsEveryExampleOnceInOrder() {
        ExampleBatches b = ExampleBatches.text(numbered(5), 2, 0, 0, 0);
        List<Batch> eval = b.evalBatches(manager);

        assertThat(eval).extracting(Batch::size).containsExactly(2, 2, 1);
        long[] middle = eval.stream().flatMapToLong(x -> {
            long[] ids = x.inputs().inputIds().toLongArray();
            return IntStream.range(0, ids.length / 3).mapToLong(r -> ids[r * 3 + 1]);
        }).toArray();
        assertThat(middle).containsExactly(100, 101, 102, 103, 104);
        assertThatThrownBy(() -> b.evalBatch(3, manager)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void imageBatchesStackPixelValues() {
        float[] p0 = new float[3 * 2 * 2];
        float[] p1 = new float[3 * 2 * 2];
        Arrays.fill(p1, 1f);
        Dataset d = new Dataset(Task.IMAGE_CLASSIFICATION, List.of(
                new Example.Image("a/0.png", p0, 2, 2, 1), new Example.Image("b/1.png", p1, 2, 2, 0)),
                List.of("a", "b"), report(2));
        Batch batch = ExampleBatches.images(d, 2, 0).evalBatch(0, manager);

        assertThat(batch.inputs().pixelValues().getShape()).isEqualTo(new Shape(2, 3, 2, 2));
        assertThat(batch.inputs().pixelValues().getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(batch.inputs().pixelValues().sum().getFloat()).isEqualTo(12f);
        assertThat(batch.labels().toLongArray()).containsExactly(1, 0);
        assertThat(batch.inputs().batchSize()).isEqualTo(2);
    }

    @Test
    void refusesAnEmptyDatasetAndABadBatchSize() {
        Dataset empty = new Dataset(Task.TEXT_CLASSIFICATION, List.of(), List.of(), report(0));
        assertThatThrownBy(() -> ExampleBatches.text(empty, 2, 0, 0, 0)).hasMessageContaining("no example");
        assertThatThrownBy(() -> ExampleBatches.text(numbered(2), 0, 0, 0, 0)).hasMessageContaining("batch size");
    }
}
