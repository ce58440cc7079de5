package dev.slicefine.engine.peft.slice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.train.TrainEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The moving schedule's knobs: positions, wrap-around, alternation, learning-rate and rank decay, targets. */
class SliceScheduleTest {
    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    private static SliceConfig config(int rank, List<SliceMode> modes, int position, int maxPosition, double lrDecay, double minLr,
                                      int tolerance, double rankDecay, int minRank, List<String> targets) {
        return new SliceConfig(rank, modes, 1, position, maxPosition, lrDecay, minLr, tolerance, rankDecay, minRank, false, targets);
    }

    @Test
    void positionsAdvanceByRankAndWrapAtMaxPosition() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root);
             SliceFineMethod method = new SliceFineMethod(config(2, List.of(SliceMode.COLUMN), 3, 7, 1.0, 0, 0, 0.5, 1, List.of("query")))) {
            method.prepare(m, root);
            SliceLinear q = method.slices().get(0);
            assertThat(method.slices()).extracting(SliceLinear::name)
                    .containsExactly("bert.encoder.layer.0.attention.self.query", "bert.encoder.layer.1.attention.self.query");
            assertThat(q.position()).isEqualTo(3);
            method.afterStep(0);
            assertThat(q.position()).isEqualTo(5);
            method.afterStep(1); // 7 + 2 > max_position 7: restart at 0
            assertThat(q.position()).isZero();
            method.afterStep(2);
            assertThat(q.position()).isEqualTo(2);
        }
    }

    @Test
    void alternationUsesEachModeInTurnWithItsOwnPosition() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("llama-tiny"), root);
             SliceFineMethod method = new SliceFineMethod(config(4, List.of(SliceMode.ROW, SliceMode.COLUMN), 0, 0, 1.0, 0, 0, 0.5, 1,
                     List.of("model.layers.*.self_attn.k_proj")))) {
            method.prepare(m, root);
            assertThat(method.slices()).hasSize(2);
            SliceLinear k = method.slices().get(0);
            assertThat(k.mode()).isEqualTo(SliceMode.ROW);
            assertThat(k.delta().getShape().getShape()).containsExactly(4, 64);
            method.afterStep(0);
            assertThat(k.mode()).isEqualTo(SliceMode.COLUMN);
            assertThat(k.delta().getShape().getShape()).containsExactly(32, 4);
            assertThat(k.position()).isZero();
            method.afterStep(1);
            assertThat(k.mode()).isEqualTo(SliceMode.ROW);
            assertThat(k.position()).isEqualTo(4);
            for (int s = 2; s < 16; s++) {
                method.afterStep(s);
            }
            // k_proj has 32 rows: row positions 0,4,...,28 then back to 0
            assertThat(k.position(SliceMode.ROW)).isLessThan(32);
        }
    }

    @Test
    void learningRateDecaysPerMoveDownToItsFloor() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root);
             SliceFineMethod method = new SliceFineMethod(config(2, List.of(SliceMode.ROW), 0, 0, 0.5, 0.02, 0, 0.5, 1, List.of()))) {
            method.prepare(m, root);
            method.setPeakLearningRate(0.1);
            method.afterStep(0);
            assertThat(method.lrScale()).isEqualTo(0.5);
            method.afterStep(1);
            assertThat(method.lrScale()).isEqualTo(0.25);
            method.afterStep(2);
            assertThat(method.lrScale()).as("floored at min_learning_rate / peak").isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void rankDecaysAfterToleranceEvaluationsWithoutImprovement() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root);
             SliceFineMethod method = new SliceFineMethod(config(8, List.of(SliceMode.COLUMN), 0, 0, 1.0, 0, 2, 0.5, 2, List.of()))) {
            method.prepare(m, root);
            method.onEvaluation(0, true);
            method.onEvaluation(0, false);
            assertThat(method.currentRank()).isEqualTo(8);
            method.onEvaluation(0, false);
            assertThat(method.currentRank()).isEqualTo(4);
            assertThat(method.slices().get(0).rank()).as("the open slice keeps its rank until it folds").isEqualTo(8);
            method.afterStep(0);
            assertThat(method.slices().get(0).rank()).isEqualTo(4);
            method.onEvaluation(0, false);
            method.onEvaluation(0, false);
            method.onEvaluation(0, false);
            method.onEvaluation(0, false);
            assertThat(method.currentRank()).as("floored at min_rank").isEqualTo(2);
        }
    }

    @Test
    void badTargetsAndRanksAreRefusedWithTheName() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root)) {
            assertThatThrownBy(() -> new SliceFineMethod(config(2, List.of(SliceMode.COLUMN), 0, 0, 1.0, 0, 0, 0.5, 1, List.of("q_proj")))
                    .prepare(m, root)).hasMessageContaining("target pattern 'q_proj' matches no Linear layer");
        }
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root)) {
            assertThatThrownBy(() -> new SliceFineMethod(config(40, List.of(SliceMode.COLUMN), 0, 0, 1.0, 0, 0, 0.5, 1, List.of()))
                    .prepare(m, root)).hasMessageContaining("rank 40 is larger than").hasMessageContaining("column extent 32");
        }
        assertThatThrownBy(() -> config(0, List.of(SliceMode.ROW), 0, 0, 1.0, 0, 0, 0.5, 1, List.of())).hasMessageContaining("slicefine.rank: must be between 1 and 65536, got 0");
        assertThatThrownBy(() -> config(2, List.of(SliceMode.ROW, SliceMode.ROW), 0, 0, 1.0, 0, 0, 0.5, 1, List.of())).hasMessageContaining("modes");
    }

    @Test
    void aMoveReportsEveryTargetLayerWithItsPositionsAndTheNormOfTheFoldedDelta() {
        try (NDManager root = NDManager.newBaseManager(); HfModel m = HfModels.load(Fixtures.dir("bert-tiny"), root);
             SliceFineMethod method = new SliceFineMethod(config(2, List.of(SliceMode.COLUMN), 0, 0, 1.0, 0, 0, 0.5, 1, List.of("query")))) {
            method.prepare(m, root);
            SliceLinear q = method.slices().get(0);
            float[] values = new float[(int) q.delta().size()];
            java.util.Arrays.fill(values, 0.5f);
            dev.slicefine.engine.nn.Ops.copyInto(q.delta(), values);
            TrainEvent event = method.afterStep(0).events().get(0);
            assertThat(event).isInstanceOf(TrainEvent.SliceMoved.class);
            TrainEvent.SliceMoved moved = (TrainEvent.SliceMoved) event;
            assertThat(moved.move()).isEqualTo(1);
            assertThat(moved.step()).isEqualTo(1);
            assertThat(moved.rank()).isEqualTo(2);
            assertThat(moved.layers()).hasSize(2);
            TrainEvent.LayerMove first = moved.layers().get(0);
            assertThat(first.layer()).isEqualTo("bert.encoder.layer.0.attention.self.query.weight");
            assertThat(first.mode()).isEqualTo("column");
            assertThat(first.from()).isZero();
            assertThat(first.to()).isEqualTo(2);
            assertThat(first.rank()).isEqualTo(2);
            assertThat(first.dim()).isEqualTo(32);
            assertThat(first.deltaNorm()).isCloseTo(0.5 * Math.sqrt(values.length), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(moved.layers().get(1).deltaNorm()).as("an untrained slice folds nothing").isZero();
            var data = moved.data();
            assertThat(data.get("layers").get(0).get("delta_norm").asDouble()).isEqualTo(first.deltaNorm());
            assertThat(data.fieldNames()).toIterable().containsExactly("move", "step", "rank", "layers");
        }
    }
}
