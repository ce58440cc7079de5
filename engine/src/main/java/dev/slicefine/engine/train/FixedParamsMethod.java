package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.nn.Ops;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A method whose trainable tensors are fixed for the whole run (LoRA, full, head only): nothing happens between
 * steps, and a checkpoint is just those tensors by name.
 */
public interface FixedParamsMethod extends TrainingMethod {
    @Override
    default StepOutcome afterStep(int step) {
        return StepOutcome.NONE;
    }

    @Override
    default void finish() {}

    @Override
    default long trainableParameterCount() {
        return TrainingMethods.size(params());
    }

    @Override
    default Map<String, NDArray> checkpointTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params().forEach(p -> out.put(p.name(), p.array()));
        return out;
    }

    @Override
    default ObjectNode checkpointMeta() {
        return new ObjectMapper().createObjectNode();
    }

    @Override
    default void restore(Map<String, float[]> tensors, ObjectNode meta) {
        for (Param p : params()) {
            float[] v = tensors.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("checkpoint has no tensor " + p.name());
            }
            Ops.copyInto(p.array(), v);
        }
    }
}
