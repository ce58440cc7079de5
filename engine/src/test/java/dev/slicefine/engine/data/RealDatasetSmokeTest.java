package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shared fortunes8 dataset with the real MiniLM tokenizer; skipped when ../shared is absent. */
class RealDatasetSmokeTest {

    @Test
    void fortunes8ValidatesCleanlyWithEightLabels() {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null, "-Dslicefine.shared.dir is absent: skipping the real-dataset smoke test");
        Path data = shared.resolve("datasets/fortunes8.train.jsonl");
        Path tokenizer = shared.resolve("models/all-minilm-l6-v2/tokenizer.json");
        assumeTrue(Files.isRegularFile(data) && Files.isRegularFile(tokenizer),
                data + " or " + tokenizer + " is absent: skipping the real-dataset smoke test");
        EngineRuntime.configure();
        try (TextTokenizer tok = TextTokenizer.load(tokenizer, 0); NDManager m = NDManager.newBaseManager()) {
            DatasetOptions opts = DatasetOptions.textClassification(tok, 128);
            ValidationReport r = DatasetReader.validate(data, opts);
            System.out.println("fortunes8.train: " + r.validExamples() + " examples, labels " + r.labels()
                    + ", tokens " + r.tokens());

            assertThat(r.issues()).isEmpty();
            assertThat(r.labels()).hasSize(8);
            assertThat(r.tokens()).isNotNull();

            Dataset d = DatasetReader.read(data, opts);
            assertThat(d.size()).isEqualTo((int) r.validExamples());
            ExampleBatches batches = ExampleBatches.text(d, 16, 1, 128, 0);
            Batch b = batches.batch(batches.stepsPerEpoch(), m);
            assertThat(b.inputs().inputIds().getShape().get(0)).isEqualTo(16);
            assertThat(b.inputs().inputIds().getShape().get(1)).isLessThanOrEqualTo(128);
            assertThat(b.labels().getShape()).isEqualTo(new Shape(16));
        }
    }
}
