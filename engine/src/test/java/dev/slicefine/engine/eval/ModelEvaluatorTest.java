package dev.slicefine.engine.eval;

import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.predict.GenerationOptions;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.engine.predict.Predictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ModelEvaluatorTest {
    @TempDir
    Path tmp;

    private Path model(String name, String tokenizer) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Fixtures.dir(name).resolve(f), dir.resolve(f));
        }
        Files.copy(Fixtures.dir("tokenizers/" + tokenizer), dir.resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void classificationEvaluationAgreesWithItsOwnPredictionsAndReportsUnknownLabels() throws IOException {
        Path m = model("bert-tiny", "wordpiece.json");
        try (LoadedModel lm = LoadedModel.load(m, null, 32)) {
            List<String> known = lm.labels();
            StringBuilder sb = new StringBuilder();
            String[] texts = {"the cat sat", "hello world", "a dog ran far", "rain today", "zebra stripes", "good fun"};
            for (int i = 0; i < texts.length; i++) {
                String label = i == 4 ? "not-a-model-label" : known.get(i % known.size());
                sb.append("{\"text\":\"").append(texts[i]).append("\",\"label\":\"").append(label).append("\"}\n");
            }
            Path data = tmp.resolve("eval.jsonl");
            Files.writeString(data, sb.toString());
            List<int[]> progress = new ArrayList<>();
            EvaluationResult r = ModelEvaluator.evaluate(lm, data, 32, 4, (done, total) -> progress.add(new int[] {done, total}));
            assertThat(progress).hasSize(2);
            ClassificationMetrics c = r.classification();
            assertThat(c.examples()).isEqualTo(6);
            assertThat(c.unknownLabelCount()).isEqualTo(1);
            assertThat(c.unknownLabels()).containsKey("not-a-model-label");
            // recompute accuracy and loss from the per-example predictions, and check them against the predictor
            var direct = new Predictor(lm).classify(List.of(texts));
            long correct = 0;
            double loss = 0;
            for (ExamplePrediction p : r.predictions()) {
                var cp = (ExamplePrediction.Classified) p;
                assertThat(cp.predicted()).isEqualTo(direct.get(cp.index()).label());
                assertThat(cp.score()).isCloseTo(direct.get(cp.index()).score(), within(1e-5));
                if (cp.known()) {
                    correct += cp.label().equals(cp.predicted()) ? 1 : 0;
                    loss += cp.loss();
                }
            }
            assertThat(c.accuracy()).isCloseTo(correct / 5.0, within(1e-12));
            assertThat(c.meanLoss()).isCloseTo(loss / 5.0, within(1e-12));
        }
    }


    @Test
    void exactMatchIsTrueForTheModelsOwnGreedyCompletion() throws IOException {
        Path m = model("llama-tiny", "bpe.json");
        try (LoadedModel lm = LoadedModel.load(m, null, 0)) {
            assertThat(lm.task()).isEqualTo(Task.CAUSAL_LM);
            Predictor p = new Predictor(lm);
            String prompt = "the quick brown fox";
            String own = p.generate(prompt, GenerationOptions.greedy(6)).text();
            Path data = tmp.resolve("lm.jsonl");
            Files.writeString(data, "{\"prompt\":\"" + prompt + "\",\"completion\":\"" + own.replace("\"", "\\\"") + "\"}\n"
                    + "{\"prompt\":\"" + prompt + "\",\"completion\":\" certainly not what it says\"}\n"
                    + "{\"text\":\"plain text has no prompt\"}\n");
            EvaluationResult r = ModelEvaluator.evaluate(lm, data, 0, 2, (d, t) -> { });
            LmMetrics metrics = r.lm();
            assertThat(metrics.examples()).isEqualTo(3);
            assertThat(metrics.exactMatchExamples()).isEqualTo(2);
            assertThat(((ExamplePrediction.Completion) r.predictions().get(1)).exactMatch()).isFalse();
            assertThat(((ExamplePrediction.Completion) r.predictions().get(2)).exactMatch()).isNull();
            double sum = 0;
            long tokens = 0;
            for (ExamplePrediction e : r.predictions()) {
                sum += ((ExamplePrediction.Completion) e).lossSum();
                tokens += ((ExamplePrediction.Completion) e).tokens();
            }
            assertThat(metrics.meanLoss()).isCloseTo(sum / tokens, within(1e-12));
            assertThat(metrics.perplexity()).isCloseTo(Math.exp(sum / tokens), within(1e-9));
        }
    }
}
