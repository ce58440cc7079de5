package dev.slicefine.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceMode;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped mid-way and resumed from its checkpoint gives the same losses and the same slice diff as an
 * uninterrupted one: data order, dropout masks (seeded per step), Adam moments, slice positions and folded W all restore.
 */
class ResumeTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    /** bert-tiny with dropout on and the wordpiece tokenizer, plus a small labelled JSONL. */
    private Path model() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(dir.resolve("config.json"), Files.readString(Fixtures.dir("bert-tiny/config.json"))
                .replace("\"hidden_dropout_prob\": 0.0", "\"hidden_dropout_prob\": 0.1"));
        Files.copy(Fixtures.dir("bert-tiny/model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(Fixtures.dir("tokenizers/wordpiece.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    private Path dataset() throws IOException {
        String[] words = {"slice", "moves", "weights", "frozen", "the", "model", "learns", "quick", "fox", "lazy", "dog", "rows"};
        Random r = new Random(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 3 + r.nextInt(8); w++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            lines.add("{\"text\": \"" + sb.toString().trim() + "\", \"label\": \"" + (char) ('a' + i % 3) + "\"}");
        }
        return Files.write(tmp.resolve("train.jsonl"), lines);
    }

    private FineTuneSpec spec(Path model, Path data, Path out, Path ckpt) {
        SliceConfig sc = new SliceConfig(2, List.of(SliceMode.ROW, SliceMode.COLUMN), 3, 0, 0, 0.9, 1e-4, 0, 0.5, 1, false, List.of());
        TrainConfig tc = new TrainConfig(Task.TEXT_CLASSIFICATION, "adamw", 2e-2, 0.01, 0.9, 0.999, 1e-8, LrSchedule.Kind.COSINE, 2, 2, 0,
                4, 32, 1.0, 0, 0, 4, 1, 11);
        return new FineTuneSpec(model, data, null, 0, null, "slicefine", sc, LoraConfig.defaults(), tc, out, ckpt, 0);
    }

    @Test
    void stoppedAndResumedRunEqualsUninterruptedRun() throws Exception {
        Path model = model();
        Path data = dataset();
        List<Double> straight = new ArrayList<>();
        FineTune.Outcome a = FineTune.run(spec(model, data, tmp.resolve("a"), tmp.resolve("ckpt-a")), new TrainListener() {
            @Override
            public void onEvent(TrainEvent event) {
                if (!(event instanceof TrainEvent.StepMetrics m)) {
                    return;
                }
                straight.add(m.loss());
            }
        });
        assertThat(a.result().steps()).isEqualTo(16); // 30 examples, batch 4 -> 8 steps x 2 epochs

        AtomicInteger seen = new AtomicInteger();
        FineTune.Outcome first = FineTune.run(spec(model, data, tmp.resolve("b"), tmp.resolve("ckpt-b")), new TrainListener() {
            @Override
            public void onEvent(TrainEvent event) {
                if (!(event instanceof TrainEvent.StepMetrics m)) {
                    return;
                }
                seen.set(m.step());
            }

            @Override
            public boolean stopRequested() {
                return seen.get() == 7; // mid-slice: 7 is not a multiple of move_steps
            }
        });
        assertThat(first.result().interrupted()).isTrue();
        assertThat(first.artifact()).isNull();
        assertThat(tmp.resolve("ckpt-b/latest/state.json")).exists();

        FineTune.Outcome resumed = FineTune.run(spec(model, data, tmp.resolve("b"), tmp.resolve("ckpt-b")), new TrainListener() {});
        assertThat(resumed.result().losses()).hasSize(16);
        for (int i = 0; i < 16; i++) {
            assertThat(resumed.result().losses().get(i)).as("loss at step %d", i).isCloseTo(a.result().losses().get(i),
                    org.assertj.core.data.Offset.offset(1e-6 * Math.abs(a.result().losses().get(i))));
        }
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile x = SafetensorsFile.open(tmp.resolve("a/diff.safetensors"));
             SafetensorsFile y = SafetensorsFile.open(tmp.resolve("b/diff.safetensors"))) {
            assertThat(y.names()).containsExactlyElementsOf(x.names());
            for (String n : x.names()) {
                assertThat(Fixtures.maxAbsDiff(y.load(n, m).toType(ai.djl.ndarray.types.DataType.FLOAT32, false),
                        x.load(n, m).toType(ai.djl.ndarray.types.DataType.FLOAT32, false))).as(n).isLessThanOrEqualTo(1e-6f);
            }
        }
        assertThat(straight).isNotEmpty();
    }

    @Test
    void everyBaselineTrainsInTheSameTrainerAndWritesItsArtifact() throws Exception {
        Path model = model();
        Path data = dataset();
        for (String method : new String[] {"lora", "full", "head", "slicefine"}) {
            FineTuneSpec base = spec(model, data, tmp.resolve("out-" + method), null);
            TrainConfig tc = base.train();
            FineTuneSpec s = new FineTuneSpec(model, data, null, 0.2, null, method, base.slice(), new LoraConfig(4, 8, 0.0, List.of()),
                    new TrainConfig(tc.task(), tc.optimizer(), method.equals("full") ? 1e-3 : 1e-2, 0, tc.beta1(), tc.beta2(), tc.eps(),
                            tc.lrSchedule(), 1, 1, 0, 4, 32, 1.0, 0, 0, 0, 0, 3),
                    tmp.resolve("out-" + method), null, 0);
            FineTune.Outcome o = FineTune.run(s, new TrainListener() {});
            assertThat(o.manifest().get("method").asText()).isEqualTo(method);
            assertThat(o.manifest().get("metrics").has("accuracy")).as("%s evaluated on the 20 %% split", method).isTrue();
            assertThat(o.result().losses()).allSatisfy(l -> assertThat(l).isFinite());
            Path out = o.artifact();
            switch (method) {
                case "lora" -> {
                    assertThat(out.resolve("adapter_config.json")).exists();
                    assertThat(Files.readString(out.resolve("adapter_config.json"))).contains("\"r\" : 4").contains("\"lora_alpha\" : 8");
                }
                case "full" -> {
                    try (NDManager m = NDManager.newBaseManager(); var loaded = dev.slicefine.engine.models.HfModels.load(out, m)) {
                        assertThat(loaded.weights().parameterCount()).isEqualTo(29251);
                    }
                }
                default -> {
                    assertThat(out.resolve("diff.safetensors")).exists();
                    dev.slicefine.engine.artifact.Merger.merge(model, out, tmp.resolve("merged-" + method));
                    assertThat(Files.readString(tmp.resolve("merged-" + method + "/config.json"))).contains("\"id2label\"").contains("\"a\"");
                }
            }
            if (method.equals("slicefine")) {
                double fraction = o.manifest().get("stored_fraction").asDouble();
                assertThat(fraction).as("diff size relative to the model").isLessThan(0.25);
                assertThat(o.manifest().get("metrics").get("trainable_parameters").asLong()).isLessThan(29251 / 10);
            }
        }
    }
}
