package dev.slicefine.engine.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 checkpoint: token ids and mean-pooled, L2-normalised embeddings match the reference. */
class MiniLmEmbeddingTest {

    @Test
    void sentenceEmbeddingsMatchReferenceWithin1e4() throws Exception {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null && Files.isDirectory(shared.resolve("models/all-minilm-l6-v2")),
                "../shared/models/all-minilm-l6-v2 is absent: skipping the real-model parity test");
        EngineRuntime.configure();
        Path dir = shared.resolve("models/all-minilm-l6-v2");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference_embeddings.json").toFile());
        try (NDManager root = NDManager.newBaseManager();
             HfModel m = HfModels.load(dir, root);
             TextTokenizer tok = TextTokenizer.load(dir, 0)) {
            assertThat(m.head()).isEqualTo(HeadKind.EMBEDDING);
            for (JsonNode s : ref.get("sentences")) {
                long[] ids = tok.encode(s.get("text").asText()).ids();
                List<Long> expectedIds = new ArrayList<>();
                s.get("ids").forEach(n -> expectedIds.add(n.asLong()));
                assertThat(ids).as("token ids of '%s'", s.get("text").asText())
                        .containsExactly(expectedIds.stream().mapToLong(Long::longValue).toArray());
                try (NDScope scope = new NDScope()) {
                    NDArray in = root.create(ids, new Shape(1, ids.length));
                    NDArray emb = m.forward(ModelInputs.text(in, in.onesLike()), false).sentenceEmbedding();
                    float[] expected = new float[s.get("embedding").size()];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = (float) s.get("embedding").get(i).asDouble();
                    }
                    float diff = Fixtures.maxAbsDiff(emb, root.create(expected, new Shape(1, expected.length)));
                    assertThat(diff).as("embedding of '%s'", s.get("text").asText()).isLessThanOrEqualTo(1e-4f);
                }
            }
        }
    }
}
