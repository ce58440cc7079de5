package dev.slicefine.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.data.ReplayBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Early stopping watches the evaluator's metric and stops after `patience` evaluations without improvement. */
class EarlyStoppingTest {

    /** Scores the model by its real held-out loss on the fixture inputs, but reports a metric that never improves. */
    private static final class Plateau implements Evaluator {
        final List<Integer> calls = new ArrayList<>();

        @Override
        public Map<String, Double> evaluate(HfModel model, NDManager manager) {
            calls.add(calls.size());
            return Map.of("accuracy", 0.5);
        }

        @Override
        public String metricName() {
            return "accuracy";
        }

        @Override
        public boolean higherIsBetter() {
            return true;
        }
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutImprovement() {
        EngineRuntime.configure();
        var dir = Fixtures.dir("bert-tiny");
        TrainConfig tc = new TrainConfig(Task.TEXT_CLASSIFICATION, "sgd", 0.1, 0, 0.9, 0.999, 1e-8, LrSchedule.Kind.CONSTANT, 0, 1, 12, 4,
                16, 0, 2, 2, 0, 0, 1);
        List<TrainEvent> events = new ArrayList<>();
        Plateau eval = new Plateau();
        try (NDManager root = NDManager.newBaseManager(); HfModel model = HfModels.load(dir, root);
             ReplayBatches batches = new ReplayBatches(dir.resolve("slicefine-column/batches.safetensors"));
             WholeTensorMethod method = WholeTensorMethod.headOnly()) {
            method.prepare(model, root);
            Trainer.Result r = new Trainer(model, method, tc, batches, eval, new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                    events.add(event);
                }
            }, null).run();
            // evaluations at steps 2 (first: an improvement), 4 and 6 (no improvement, patience 2) -> stop after step 6
            assertThat(r.stoppedEarly()).isTrue();
            assertThat(r.steps()).isEqualTo(6);
            assertThat(eval.calls).hasSize(3);
            assertThat(events).contains(new TrainEvent.EarlyStopped(6, "accuracy", 0.5));
            assertThat(events.get(events.size() - 1)).isEqualTo(new TrainEvent.Finished(6, "early_stopped"));
        }
    }
}
