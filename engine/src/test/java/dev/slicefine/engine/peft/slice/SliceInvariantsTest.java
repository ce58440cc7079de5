package dev.slicefine.engine.peft.slice;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.data.ReplayBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.engine.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What SliceFine promises about the frozen model, checked bit for bit. */
class SliceInvariantsTest {
    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    private static TrainConfig adamw(Task task, int steps) {
        return new TrainConfig(task, "adamw", 5e-2, 0.01, 0.9, 0.999, 1e-8, LrSchedule.Kind.LINEAR, 2, 1, steps, 4, 16, 1.0, 0, 0, 0, 1, 3);
    }

    @Test
    void onlyVisitedSlicesChangeAndNothingFrozenEverGetsAGradient() {
        Path dir = Fixtures.dir("bert-tiny");
        SliceConfig sc = new SliceConfig(2, List.of(SliceMode.ROW, SliceMode.COLUMN), 3, 4, 0, 1.0, 0.0, 0, 0.5, 1, false, List.of());
        List<String> frozenWithGradient = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager();
             HfModel model = HfModels.load(dir, root);
             SafetensorsFile base = SafetensorsFile.open(dir.resolve("model.safetensors"));
             ReplayBatches batches = new ReplayBatches(dir.resolve("slicefine-column/batches.safetensors"));
             SliceFineMethod method = new SliceFineMethod(sc)) {
            method.prepare(model, root);
            Set<String> head = new HashSet<>(model.headTensorNames());
            TrainListener watch = new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                if (!(event instanceof TrainEvent.StepMetrics m)) {
                    return;
                }
                    for (var e : model.weights().asMap().entrySet()) {
                        if (!head.contains(e.getKey()) && e.getValue().hasGradient()) {
                            frozenWithGradient.add(e.getKey() + " at step " + m.step());
                        }
                    }
                }
            };
            new Trainer(model, method, adamw(Task.TEXT_CLASSIFICATION, 11), batches, null, watch, null).run();
            assertThat(frozenWithGradient).as("frozen tensors that required a gradient").isEmpty();
            assertThat(method.moves()).isEqualTo(3);

            Set<String> targets = new HashSet<>();
            for (SliceLinear s : method.slices()) {
                String name = s.name() + ".weight";
                targets.add(name);
                float[] before = base.load(name, root).toFloatArray();
                float[] after = s.weight().toFloatArray();
                long out = s.weight().getShape().get(0);
                long in = s.weight().getShape().get(1);
                assertThat(s.columnDiff()).as("%s visited columns", name).isNotEmpty();
                assertThat(s.rowDiff()).as("%s visited rows", name).isNotEmpty();
                int changedOutside = 0;
                int changedInside = 0;
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < in; j++) {
                        boolean visited = s.rowDiff().containsKey(i) || s.columnDiff().containsKey(j);
                        boolean same = Float.floatToRawIntBits(before[(int) (i * in + j)]) == Float.floatToRawIntBits(after[(int) (i * in + j)]);
                        if (!visited && !same) {
                            changedOutside++;
                        }
                        if (visited && !same) {
                            changedInside++;
                        }
                    }
                }
                assertThat(changedOutside).as("%s elements changed outside the visited slices", name).isZero();
                assertThat(changedInside).as("%s elements changed inside the visited slices", name).isPositive();
            }
            for (Map.Entry<String, NDArray> e : model.weights().asMap().entrySet()) {
                if (targets.contains(e.getKey()) || head.contains(e.getKey())) {
                    continue;
                }
                byte[] was = new byte[base.raw(e.getKey()).remaining()];
                base.raw(e.getKey()).get(was);
                assertThat(e.getValue().toByteArray()).as("frozen tensor %s is bit-identical", e.getKey()).isEqualTo(was);
            }
            // row slices of rank 2: r x in per target (4 x 2x32 + 2x32 + 2x64 per layer, 2 layers) + the 3-label classifier
            assertThat(method.trainableParameterCount()).isEqualTo(2 * (4 * 64 + 64 + 128) + 3 * 32 + 3);
        }
    }

    @Test
    void nativeMemoryDoesNotGrowWithTheNumberOfMoves() throws Exception {
        Path dir = Fixtures.dir("llama-tiny");
        SliceConfig sc = new SliceConfig(2, List.of(SliceMode.ROW, SliceMode.COLUMN), 1, 0, 0, 1.0, 0.0, 0, 0.5, 1, false, List.of());
        long[] rss = new long[2];
        try (NDManager root = NDManager.newBaseManager();
             HfModel model = HfModels.load(dir, root);
             ReplayBatches batches = new ReplayBatches(dir.resolve("slicefine-column/batches.safetensors"));
             SliceFineMethod method = new SliceFineMethod(sc)) {
            method.prepare(model, root);
            TrainListener probe = new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                if (!(event instanceof TrainEvent.StepMetrics m)) {
                    return;
                }
                    if (m.step() == 4) {
                        rss[0] = rssKb();
                    } else if (m.step() == 40) {
                        rss[1] = rssKb();
                    }
                }
            };
            TrainConfig tc = new TrainConfig(Task.CAUSAL_LM, "adamw", 1e-2, 0, 0.9, 0.999, 1e-8, LrSchedule.Kind.CONSTANT, 0, 1, 41, 4,
                    16, 1.0, 0, 0, 0, 1, 1);
            new Trainer(model, method, tc, batches, null, probe, null).run();
            assertThat(method.moves()).isEqualTo(41);
        }
        // measured after warm-up (move 4) and after 36 more moves, each allocating fresh slices and Adam moments
        assertThat(rss[1]).as("RSS after 40 moves vs after 4 (kB)").isLessThanOrEqualTo((long) (rss[0] * 1.10));
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
