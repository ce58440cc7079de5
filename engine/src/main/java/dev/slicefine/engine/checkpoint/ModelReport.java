package dev.slicefine.engine.checkpoint;

import java.util.List;

/**
 * What {@link ModelInspector} found in a checkpoint folder. {@code problems} empty means the engine can load and train
 * it; each problem is one sentence naming the file or tensor.
 */
public record ModelReport(String family, String architecture, String head, long parameterCount, List<String> dtypes,
                          int tensorCount, boolean tokenizerPresent, List<TensorEntry> tensors, List<String> problems,
                          List<String> warnings) {

    public record TensorEntry(String name, String dtype, long[] shape) {}

    public boolean valid() {
        return problems.isEmpty();
    }
}
