package dev.slicefine.engine.models;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.bert.BertModel;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.models.llama.LlamaModel;
import dev.slicefine.engine.models.vit.VitConfig;
import dev.slicefine.engine.models.vit.VitModel;
import java.nio.file.Path;

/** Loads a Hugging Face checkpoint folder into the model of its family, refusing one that does not match its config. */
public final class HfModels {
    private HfModels() {}

    /** Loads into a child manager of {@code parent}; closing the model frees every tensor. */
    public static HfModel load(Path modelDir, NDManager parent) {
        ModelConfig config = ModelConfigs.read(modelDir);
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            CheckpointLayout layout = CheckpointLayout.of(config, source);
            if (!layout.valid()) {
                throw new CheckpointException(modelDir + ": " + layout.problems().get(0)
                        + (layout.problems().size() > 1 ? " (and " + (layout.problems().size() - 1) + " more problems)" : ""));
            }
            NDManager manager = parent.newSubManager();
            try {
                ModelWeights weights = ModelWeights.load(source, layout.tensorsToLoad(), manager);
                return build(config, weights, layout.prefix());
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
    }

    public static HfModel build(ModelConfig config, ModelWeights weights, String prefix) {
        if (config instanceof BertConfig c) {
            return new BertModel(c, weights, prefix);
        }
        if (config instanceof VitConfig c) {
            return new VitModel(c, weights);
        }
        return new LlamaModel((LlamaConfig) config, weights);
    }
}
