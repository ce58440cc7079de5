package dev.slicefine.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimate made from config.json and the safetensors headers equals what a real run reports and writes: the
 * started event's trainable and total parameters, its total steps, and the tensor payload of the result file.
 */
class FineTuneEstimateTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    private Path model() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.copy(Fixtures.dir("bert-tiny/config.json"), dir.resolve("config.json"));
        Files.copy(Fixtures.dir("bert-tiny/model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(Fixtures.dir("tokenizers/wordpiece.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    /** 23 examples over {@code labels} labels (uneven groups, so the stratified split's rounding matters). */
    private Path dataset(int labels) throws IOException {
        String[] words = {"slice", "moves", "weights", "frozen", "model", "learns", "quick", "fox"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            lines.add("{\"text\": \"" + words[i % 8] + " " + words[(i * 3) % 8] + " " + words[(i * 5) % 8] + "\", \"label\": \""
                    + (char) ('a' + i % labels) + "\"}");
        }
        return Files.write(tmp.resolve("train-" + labels + ".jsonl"), lines);
    }

    private static FineTuneEstimate.DataShape shape(int labels) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < 23; i++) {
            counts.merge(String.valueOf((char) ('a' + i % labels)), 1L, Long::sum);
        }
        return new FineTuneEstimate.DataShape(counts, 23);
    }

    @Test
    void estimateEqualsTheStartedEventAndTheWrittenPayloadOfRealRuns() throws Exception {
        Path model = model();
        String[][] cases = {
                // method, labels, config body
                {"slicefine", "3", "{\"task\":\"text-classification\",\"method\":\"slicefine\",\"validation_split\":0.2,"
                        + "\"slicefine\":{\"rank\":3,\"move_steps\":2},\"train\":{\"epochs\":2,\"batch_size\":4,\"max_seq_len\":16}}"},
                {"slicefine", "2", "{\"task\":\"text-classification\",\"method\":\"slicefine\",\"slicefine\":{\"rank\":5,"
                        + "\"modes\":[\"row\",\"column\"],\"move_steps\":1,\"bias\":true,\"targets\":[\"query\",\"value\"]},"
                        + "\"train\":{\"max_steps\":9,\"batch_size\":8,\"max_seq_len\":16}}"},
                {"lora", "2", "{\"task\":\"text-classification\",\"method\":\"lora\",\"lora\":{\"r\":3},"
                        + "\"train\":{\"max_steps\":2,\"batch_size\":8,\"max_seq_len\":16}}"},
                {"head", "4", "{\"task\":\"text-classification\",\"method\":\"head\",\"validation_split\":0.3,"
                        + "\"train\":{\"epochs\":1,\"batch_size\":5,\"max_seq_len\":16}}"},
                {"full", "3", "{\"task\":\"text-classification\",\"method\":\"full\","
                        + "\"train\":{\"max_steps\":1,\"batch_size\":8,\"max_seq_len\":16}}"},
        };
        for (String[] c : cases) {
            int labels = Integer.parseInt(c[1]);
            FineTuneConfig config = FineTuneConfig.parse(c[2], Set.of());
            FineTuneEstimate estimate = FineTuneEstimate.of(config, model, shape(labels), false);

            Path out = tmp.resolve("out-" + c[0] + "-" + labels);
            AtomicReference<TrainEvent.Started> started = new AtomicReference<>();
            FineTune.Outcome o = FineTune.run(config.toSpec(model, dataset(labels), null, out, null), new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                    if (event instanceof TrainEvent.Started s) {
                        started.set(s);
                    }
                }
            });
            String what = c[0] + " over " + labels + " labels";
            assertThat(estimate.method()).isEqualTo(c[0]);
            assertThat(estimate.trainableParams()).as(what).isEqualTo(started.get().trainableParams()).isPositive();
            assertThat(estimate.totalParams()).as(what).isEqualTo(started.get().totalParams());
            assertThat(estimate.steps()).as(what).isEqualTo(started.get().totalSteps()).isEqualTo(o.result().steps());
            String file = switch (c[0]) {
                case "lora" -> "adapter_model.safetensors";
                case "full" -> "model.safetensors";
                default -> "diff.safetensors";
            };
            assertThat(estimate.diffBytes()).as(what).isEqualTo(payload(out.resolve(file)));
        }
    }

    @Test
    void targetLayersListEverySelectedWeightWithItsSlice() throws Exception {
        FineTuneConfig config = FineTuneConfig.parse("{\"task\":\"text-classification\",\"slicefine\":{\"rank\":2,"
                + "\"targets\":[\"query\"]},\"train\":{\"max_steps\":4}}", Set.of());
        FineTuneEstimate e = FineTuneEstimate.of(config, model(), shape(3), false);
        assertThat(e.targetLayers()).extracting(FineTuneEstimate.TargetLayer::layer)
                .containsExactly("bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.1.attention.self.query.weight");
        // column slice of a 32 x 32 weight: 32 x 2 values; the kept 3-label head: 3 x 32 + 3
        assertThat(e.targetLayers()).allSatisfy(l -> {
            assertThat(l.shape()).containsExactly(32, 32);
            assertThat(l.mode()).isEqualTo("column");
            assertThat(l.trainable()).isEqualTo(64);
        });
        assertThat(e.trainableParams()).isEqualTo(2 * 64 + 3 * 32 + 3);
        assertThat(e.trainableFraction()).isEqualTo(e.trainableParams() / (double) e.totalParams());
    }

    @Test
    void configThatDoesNotFitTheModelIsTheValidatorsError() throws Exception {
        FineTuneConfig config = FineTuneConfig.parse("{\"task\":\"text-classification\",\"slicefine\":{\"rank\":64}}", Set.of());
        assertThatThrownBy(() -> FineTuneEstimate.of(config, model(), shape(3), false))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.errors()).extracting(x -> x.code()).containsExactly("rank_too_large"));
    }

    /** Bytes of a safetensors file's data section: the file less its 8-byte header length and the header. */
    private static long payload(Path file) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(file)) {
            assertThat(in.readNBytes(head, 0, 8)).isEqualTo(8);
        }
        long header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Files.size(file) - 8 - header;
    }
}
