package dev.slicefine.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.data.ReplayBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpoint_minutes: a checkpoint whenever that much training time passed since the last one, so a crash loses bounded work. */
class TimedCheckpointTest {
    @TempDir
    Path tmp;

    private List<TrainEvent> run(double minutes, Path checkpoints) {
        EngineRuntime.configure();
        Path dir = Fixtures.dir("bert-tiny");
        TrainConfig tc = new TrainConfig(Task.TEXT_CLASSIFICATION, "sgd", 0.1, 0, 0.9, 0.999, 1e-8, LrSchedule.Kind.CONSTANT, 0, 1, 6, 4,
                16, 0, 0, 0, 0, 0, 1).withCheckpointMinutes(minutes);
        List<TrainEvent> events = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(); HfModel model = HfModels.load(dir, root);
             ReplayBatches batches = new ReplayBatches(dir.resolve("slicefine-column/batches.safetensors"));
             WholeTensorMethod method = WholeTensorMethod.headOnly()) {
            method.prepare(model, root);
            new Trainer(model, method, tc, batches, null, new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                    events.add(event);
                }
            }, checkpoints).run();
        }
        return events;
    }

    @Test
    void checkpointsWhenTheIntervalOfTrainingTimeHasPassed() {
        // a microsecond: every step is past it (the last step writes the result instead)
        List<TrainEvent> events = run(1e-8, tmp.resolve("ckpt"));
        assertThat(events).filteredOn(e -> e instanceof TrainEvent.Checkpoint)
                .containsExactly(new TrainEvent.Checkpoint(1), new TrainEvent.Checkpoint(2), new TrainEvent.Checkpoint(3),
                        new TrainEvent.Checkpoint(4), new TrainEvent.Checkpoint(5));
        assertThat(tmp.resolve("ckpt/latest/state.json")).exists();
        assertThat(events.get(0)).isInstanceOf(TrainEvent.Started.class);
        TrainEvent.Started started = (TrainEvent.Started) events.get(0);
        assertThat(started.totalSteps()).isEqualTo(6);
        assertThat(started.method()).isEqualTo("head");
        assertThat(started.totalParams()).isGreaterThan(started.trainableParams()).isPositive();
        assertThat(events).filteredOn(e -> e instanceof TrainEvent.StepMetrics).allSatisfy(e ->
                assertThat(((TrainEvent.StepMetrics) e).throughputUnit()).isEqualTo("tokens/s"));
        assertThat(events.get(events.size() - 1)).isEqualTo(new TrainEvent.Finished(6, "completed"));
    }

    @Test
    void anHourIntervalWritesNoCheckpointInAShortRun() {
        assertThat(run(60, tmp.resolve("ckpt"))).noneMatch(e -> e instanceof TrainEvent.Checkpoint);
    }

    @Test
    void checkpointsWithoutAFolderAreAWarning() {
        assertThat(run(1, null)).contains(new TrainEvent.Warning("checkpoint_without_dir",
                "checkpoints were asked for but the run has no checkpoint folder: none will be written"));
    }
}
