package dev.slicefine.engine.finetune;

import ai.djl.ndarray.NDArray;
import dev.slicefine.engine.artifact.Merger;
import dev.slicefine.engine.artifact.TaskCheckpoint;
import dev.slicefine.engine.io.DType;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.HfModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fully fine-tuned model written as a Hugging Face checkpoint (F32), tensor by tensor, named and configured as a
 * merge would write it (TaskCheckpoint: the task's architecture, labels, prefixed names for a bare encoder).
 */
final class FullCheckpoint {
    private FullCheckpoint() {}

    static void write(HfModel model, Path baseDir, Path out) throws IOException {
        Map<String, NDArray> weights = model.weights().asMap();
        TaskCheckpoint.Form form = TaskCheckpoint.form(model.config().family(), model.prefix(), model.head() == HeadKind.CLASSIFICATION);
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (var e : weights.entrySet()) {
            specs.add(new SafetensorsWriter.Spec(form.name(e.getKey()), DType.F32, e.getValue().getShape().getShape()));
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), specs, Map.of("format", "pt"), (name, channel) -> {
            ByteBuffer b = ByteBuffer.wrap(weights.get(form.baseName(name)).toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        });
        Merger.copySideFiles(baseDir, out);
        TaskCheckpoint.writeConfig(baseDir, out, form, model.config().labels());
    }
}
