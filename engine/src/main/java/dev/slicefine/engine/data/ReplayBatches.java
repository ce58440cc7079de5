package dev.slicefine.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.models.ModelInputs;
import java.nio.file.Path;

/**
 * Pre-tokenized batches in the fixture layout ({@code step{i}.input_ids}, {@code .attention_mask},
 * {@code .token_type_ids}, {@code .pixel_values}, {@code .labels}), replayed in order for exact reproduction.
 */
public final class ReplayBatches implements BatchSource, AutoCloseable {
    private final SafetensorsFile file;
    private final int steps;

    public ReplayBatches(Path batchesFile) {
        this.file = SafetensorsFile.open(batchesFile);
        int n = 0;
        while (file.contains("step" + n + ".labels")) {
            n++;
        }
        if (n == 0) {
            file.close();
            throw new IllegalArgumentException(batchesFile + " holds no step0.labels: expected tensors named step{i}.input_ids / "
                    + "step{i}.pixel_values, step{i}.attention_mask and step{i}.labels");
        }
        for (String name : file.names()) {
            if (!name.matches("step\\d+\\.(input_ids|attention_mask|token_type_ids|pixel_values|labels)")) {
                file.close();
                throw new IllegalArgumentException(batchesFile + ": unexpected tensor '" + name + "' in a batches file");
            }
        }
        this.steps = n;
    }

    @Override
    public int stepsPerEpoch() {
        return steps;
    }

    @Override
    public int size() {
        return steps;
    }

    @Override
    public Batch batch(int step, NDManager m) {
        String p = "step" + (step % steps) + ".";
        NDArray labels = file.load(p + "labels", m).toType(DataType.INT64, false);
        if (file.contains(p + "pixel_values")) {
            NDArray px = file.load(p + "pixel_values", m);
            return new Batch(ModelInputs.image(px), labels, (int) px.getShape().get(0), 0);
        }
        if (!file.contains(p + "input_ids")) {
            throw new IllegalArgumentException("batches file has " + p + "labels but neither " + p + "input_ids nor " + p + "pixel_values");
        }
        NDArray ids = file.load(p + "input_ids", m).toType(DataType.INT64, false);
        NDArray mask = file.contains(p + "attention_mask") ? file.load(p + "attention_mask", m) : ids.onesLike();
        NDArray types = file.contains(p + "token_type_ids") ? file.load(p + "token_type_ids", m).toType(DataType.INT64, false) : null;
        long tokens = mask.toType(DataType.INT64, false).sum().getLong();
        return new Batch(new ModelInputs(ids, mask, types, null), labels, (int) ids.getShape().get(0), tokens);
    }

    @Override
    public void close() {
        file.close();
    }
}
