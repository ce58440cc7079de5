package dev.slicefine.engine.predict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.cli.MainTest;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.llama.KvCache;
import dev.slicefine.engine.models.llama.LlamaModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PredictorTest {
    @TempDir
    Path tmp;

    /** A fixture checkpoint with a tokenizer.json beside it, as an uploaded model has. */
    private Path withTokenizer(String model, String tokenizer) throws IOException {
        Path dir = tmp.resolve(model);
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Fixtures.dir(model).resolve(f), dir.resolve(f));
        }
        Files.copy(Fixtures.dir("tokenizers/" + tokenizer), dir.resolve("tokenizer.json"));
        return dir;
    }

    private static long[] promptOfFixture() throws IOException {
        try (NDManager m = NDManager.newBaseManager(); SafetensorsFile in = SafetensorsFile.open(Fixtures.dir("llama-tiny/inputs.safetensors"))) {
            return Arrays.copyOf(in.load("input_ids", m).get(0).toLongArray(), 6);
        }
    }

    @Test
    void greedyGenerationWithKvCacheEqualsFullRecomputeTokenForToken() throws IOException {
        try (LoadedModel model = LoadedModel.load(withTokenizer("llama-tiny", "bpe.json"), null, 0)) {
            Predictor p = new Predictor(model);
            long[] prompt = promptOfFixture();
            Generation cached = p.generate(prompt, GenerationOptions.greedy(40), true);
            Generation full = p.generate(prompt, GenerationOptions.greedy(40), false);
            assertThat(cached.tokens()).hasSizeGreaterThan(5).containsExactly(full.tokens());
            assertThat(cached.text()).isEqualTo(full.text());
        }
    }

    @Test
    void cachedLogitsEqualTheFullForwardPassAtEveryPosition() throws IOException {
        try (LoadedModel model = LoadedModel.load(withTokenizer("llama-tiny", "bpe.json"), null, 0);
             NDManager m = NDManager.newBaseManager()) {
            LlamaModel llama = (LlamaModel) model.model();
            long[] ids = {0, 17, 250, 3, 99, 42, 7, 311};
            NDArray full = llama.forward(ModelInputs.text(m.create(ids, new Shape(1, ids.length)),
                    m.ones(new Shape(1, ids.length), ai.djl.ndarray.types.DataType.INT64)), false).logits();
            try (KvCache cache = new KvCache(m, llama.config().numLayers())) {
                // the prompt in one step, then one token at a time
                NDArray first = llama.forwardCached(m.create(Arrays.copyOf(ids, 3), new Shape(1, 3)), cache);
                assertThat(Fixtures.maxAbsDiff(first, full.get(":, 0:3, :"))).isLessThanOrEqualTo(1e-5f);
                for (int i = 3; i < ids.length; i++) {
                    NDArray step = llama.forwardCached(m.create(new long[] {ids[i]}, new Shape(1, 1)), cache);
                    assertThat(Fixtures.maxAbsDiff(step, full.get(":, " + i + ":" + (i + 1) + ", :"))).as("position " + i)
                            .isLessThanOrEqualTo(1e-5f);
                }
                assertThat(cache.length()).isEqualTo(ids.length);
            }
        }
    }

    @Test
    void samplingRepeatsWithTheSameSeedAndStopsAtStopStrings() throws IOException {
        try (LoadedModel model = LoadedModel.load(withTokenizer("llama-tiny", "bpe.json"), null, 0)) {
            Predictor p = new Predictor(model);
            long[] prompt = promptOfFixture();
            GenerationOptions sample = new GenerationOptions(30, 1.5, 0.9, 7, List.of());
            Generation a = p.generate(prompt, sample, true);
            Generation b = p.generate(prompt, sample, true);
            assertThat(a.tokens()).containsExactly(b.tokens());
            Generation greedy = p.generate(prompt, GenerationOptions.greedy(30), true);
            assertThat(a.tokens()).isNotEqualTo(greedy.tokens());
            // stop at a piece of the greedy text: the completion ends right before it
            String text = greedy.text();
            assertThat(text.length()).isGreaterThan(4);
            String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
            Generation stopped = p.generate(prompt, new GenerationOptions(30, 0, 1, 0, List.of(stop)), true);
            assertThat(stopped.finishReason()).isEqualTo("stop");
            assertThat(stopped.text()).isEqualTo(text.substring(0, text.indexOf(stop)));
        }
    }

    @Test
    void classificationProbabilitiesEqualTheSoftmaxOfTheReferenceLogits() throws IOException {
        try (LoadedModel model = LoadedModel.load(withTokenizer("bert-tiny", "wordpiece.json"), null, 0);
             NDManager m = NDManager.newBaseManager();
             SafetensorsFile in = SafetensorsFile.open(Fixtures.dir("bert-tiny/inputs.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(Fixtures.dir("bert-tiny/expected.safetensors"))) {
            double[][] probs = new Predictor(model).probabilities(ModelInputs.text(in.load("input_ids", m), in.load("attention_mask", m)));
            assertReferenceSoftmax(probs, want.load("logits", m));
        }
    }

    @Test
    void aSliceDiffMergedInMemoryGivesTheMergedModelsOutputs() throws IOException {
        Path base = withTokenizer("bert-tiny", "wordpiece.json");
        Path diff = tmp.resolve("diff");
        MainTest.replay(Fixtures.dir("bert-tiny"), Fixtures.dir("bert-tiny/slicefine-column"), diff);
        try (LoadedModel model = LoadedModel.load(base, diff, 0);
             NDManager m = NDManager.newBaseManager();
             SafetensorsFile in = SafetensorsFile.open(Fixtures.dir("bert-tiny/inputs.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(Fixtures.dir("bert-tiny/slicefine-column/expected_after.safetensors"))) {
            double[][] probs = new Predictor(model).probabilities(ModelInputs.text(in.load("input_ids", m), in.load("attention_mask", m)));
            assertReferenceSoftmax(probs, want.load("logits", m));
        }
    }

    @Test
    void aLoraAdapterMergedInMemoryGivesTheMergedModelsOutputs() throws IOException {
        // the row-column run's diff as an exact LoRA adapter (head in modules_to_save): W + alpha/r B A in memory must
        // give the reference logits of the merged model
        Path base = withTokenizer("bert-tiny", "wordpiece.json");
        Path diff = tmp.resolve("diff");
        MainTest.replay(Fixtures.dir("bert-tiny"), Fixtures.dir("bert-tiny/slicefine-row-column"), diff);
        Path adapter = tmp.resolve("adapter");
        dev.slicefine.engine.artifact.PeftExporter.export(base, diff, adapter);
        assertThat(LoadedModel.isDiff(adapter)).isTrue();
        try (LoadedModel model = LoadedModel.load(base, adapter, 0);
             NDManager m = NDManager.newBaseManager();
             SafetensorsFile in = SafetensorsFile.open(Fixtures.dir("bert-tiny/inputs.safetensors"));
             SafetensorsFile want = SafetensorsFile.open(Fixtures.dir("bert-tiny/slicefine-row-column/expected_after.safetensors"))) {
            double[][] probs = new Predictor(model).probabilities(ModelInputs.text(in.load("input_ids", m), in.load("attention_mask", m)));
            assertReferenceSoftmax(probs, want.load("logits", m));
        }
    }

    private static void assertReferenceSoftmax(double[][] probs, NDArray logits) {
        float[] l = logits.toFloatArray();
        int k = (int) logits.getShape().get(1);
        assertThat(probs.length).isEqualTo(l.length / k);
        for (int r = 0; r < probs.length; r++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(l[r * k + j]);
            }
            for (int j = 0; j < k; j++) {
                assertThat(probs[r][j]).as("row %d label %d", r, j).isCloseTo(Math.exp(l[r * k + j]) / sum, within(1e-4));
            }
        }
    }
}
