package dev.slicefine.engine.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.io.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Logits and hidden states of the four tiny fixture models match transformers (eval, fp32) within 1e-4. */
class ModelParityTest {
    private static final float TOLERANCE = 1e-4f;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({"bert-tiny,BERT,true", "roberta-tiny,ROBERTA,true", "vit-tiny,VIT,false", "llama-tiny,LLAMA,true"})
    void forwardMatchesTransformers(String model, ModelFamily family, boolean text) {
        Path dir = Fixtures.dir(model);
        try (NDManager root = NDManager.newBaseManager();
             HfModel m = HfModels.load(dir, root);
             SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"));
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
             NDScope scope = new NDScope()) {
            assertThat(m.config().family()).isEqualTo(family);
            ModelInputs in = text
                    ? ModelInputs.text(inputs.load("input_ids", root), inputs.load("attention_mask", root))
                    : ModelInputs.image(inputs.load("pixel_values", root));
            ModelOutput out = m.forward(in, false);
            assertThat(Fixtures.maxAbsDiff(out.logits(), expected.load("logits", root)))
                    .as("%s logits, padded rows included", model).isLessThanOrEqualTo(TOLERANCE);
            if (text) {
                assertThat(Fixtures.maxAbsDiff(out.hiddenEmbed(), expected.load("hidden_embed", root)))
                        .as("%s embedding output", model).isLessThanOrEqualTo(TOLERANCE);
                assertThat(Fixtures.maxAbsDiff(out.hiddenLast(), expected.load("hidden_last", root)))
                        .as("%s last hidden state", model).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }
}
