package dev.slicefine.engine.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.checkpoint.ModelInspector;
import dev.slicefine.engine.io.DType;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A BF16 checkpoint (how most LLMs ship) loads, widened to F32, and runs within BF16's precision of the F32 model. */
class HalfPrecisionCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void bf16LlamaLoadsAndMatchesTheF32ModelWithinBf16Precision() throws Exception {
        EngineRuntime.configure();
        Path src = Fixtures.dir("llama-tiny");
        Path dir = Files.createDirectories(tmp.resolve("llama-bf16"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors")); NDManager m = NDManager.newBaseManager()) {
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (String n : f.names()) {
                specs.add(new SafetensorsWriter.Spec(n, DType.BF16, f.info(n).shape()));
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), specs, Map.of("format", "pt"), (name, channel) -> {
                float[] v = f.load(name, m).toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    int bits = Float.floatToRawIntBits(x);
                    b.putShort((short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16)); // round to nearest even
                }
                b.flip();
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            });
        }
        assertThat(ModelInspector.inspect(dir).dtypes()).containsExactly("BF16");
        try (NDManager root = NDManager.newBaseManager();
             HfModel bf16 = HfModels.load(dir, root);
             HfModel f32 = HfModels.load(src, root);
             SafetensorsFile inputs = SafetensorsFile.open(src.resolve("inputs.safetensors"));
             NDScope scope = new NDScope()) {
            ModelInputs in = ModelInputs.text(inputs.load("input_ids", root), inputs.load("attention_mask", root));
            float diff = Fixtures.maxAbsDiff(bf16.forward(in, false).logits(), f32.forward(in, false).logits());
            float scale = f32.forward(in, false).logits().abs().max().getFloat();
            assertThat(diff).as("BF16 vs F32 logits").isPositive().isLessThan(0.05f * scale);
        }
    }
}
