package dev.slicefine.engine.peft.slice;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.artifact.CheckpointHash;
import dev.slicefine.engine.artifact.Merger;
import dev.slicefine.engine.artifact.SliceDiff;
import dev.slicefine.engine.data.ReplayBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reference run in the fixtures, replayed: losses within 1e-4 relative, merged tensors within 1e-5. */
class ReferenceRunTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    @org.junit.jupiter.api.Test
    void replayOnAnotherThreadMatchesToo() throws Exception {
        // libtorch turns gradient recording on in every new thread; the trainer must not depend on the caller's thread
        ai.djl.engine.Engine.getInstance(); // libtorch initialised on this thread, as in a server that trains on executors
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                replayMatchesReference("llama-tiny/slicefine-row-column");
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "worker-like-thread");
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError("training on a fresh thread failed", failure.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-tiny/slicefine-column", "bert-tiny/slicefine-row", "bert-tiny/slicefine-row-column",
            "roberta-tiny/slicefine-column", "roberta-tiny/slicefine-row",
            "llama-tiny/slicefine-column", "llama-tiny/slicefine-row", "llama-tiny/slicefine-row-column"})
    void replayMatchesReference(String run) throws Exception {
        Path runDir = Fixtures.dir(run);
        Path modelDir = runDir.getParent();
        JsonNode ref = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        List<SliceMode> modes = new ArrayList<>();
        ref.get("modes").forEach(m -> modes.add(SliceMode.parse(m.asText())));
        List<String> targets = new ArrayList<>();
        ref.get("targets").forEach(t -> targets.add(t.asText()));
        SliceConfig sc = new SliceConfig(ref.get("rank").asInt(), modes, ref.get("move_steps").asInt(), ref.get("position").asInt(),
                0, 1.0, 0.0, 0, 0.5, 1, false, targets);
        Task task = modelDir.getFileName().toString().startsWith("llama") ? Task.CAUSAL_LM : Task.TEXT_CLASSIFICATION;
        TrainConfig tc = new TrainConfig(task, "sgd", ref.get("lr").asDouble(), 0, 0.9, 0.999, 1e-8, LrSchedule.Kind.CONSTANT, 0, 1,
                ref.get("steps").asInt(), 4, 16, 0, 0, 0, 0, 0, 1);
        Path diffDir = tmp.resolve("diff");
        try (NDManager root = NDManager.newBaseManager();
             HfModel model = HfModels.load(modelDir, root);
             ReplayBatches batches = new ReplayBatches(runDir.resolve("batches.safetensors"));
             SliceFineMethod method = new SliceFineMethod(sc)) {
            method.prepare(model, root);
            Trainer.Result result = new Trainer(model, method, tc, batches, null, null, null).run();
            List<Double> expected = new ArrayList<>();
            ref.get("losses").forEach(l -> expected.add(l.asDouble()));
            assertThat(result.losses()).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                double rel = Math.abs(result.losses().get(i) - expected.get(i)) / Math.abs(expected.get(i));
                assertThat(rel).as("%s loss at step %d: %s vs %s", run, i, result.losses().get(i), expected.get(i)).isLessThanOrEqualTo(1e-4);
            }
            ObjectNode manifest = new ObjectMapper().createObjectNode();
            manifest.putObject("base").put("sha256", CheckpointHash.of(modelDir));
            SliceDiff.of(method.slices(), method.headParams(), manifest).write(diffDir);
        }
        Path merged = tmp.resolve("merged");
        Merger.merge(modelDir, diffDir, merged);
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile want = SafetensorsFile.open(runDir.resolve("merged.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(merged.resolve("model.safetensors"));
             SafetensorsFile base = SafetensorsFile.open(modelDir.resolve("model.safetensors"))) {
            for (String name : want.names()) {
                assertThat(Fixtures.maxAbsDiff(got.load(name, m), want.load(name, m))).as("%s merged %s", run, name).isLessThanOrEqualTo(1e-5f);
            }
            for (String name : base.names()) {
                if (!want.contains(name)) {
                    assertThat(got.raw(name)).as("untouched tensor %s is byte-identical", name).isEqualTo(base.raw(name));
                }
            }
        }
    }
}
