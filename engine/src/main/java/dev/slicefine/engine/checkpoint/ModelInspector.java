package dev.slicefine.engine.checkpoint;

import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Validates a Hugging Face checkpoint folder without loading its weights (headers only). */
public final class ModelInspector {
    private ModelInspector() {}

    public static ModelReport inspect(Path modelDir) {
        List<String> problems = new ArrayList<>();
        ModelConfig config;
        try {
            config = ModelConfigs.read(modelDir);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return new ModelReport(null, null, null, 0, List.of(), 0, tokenizerPresent(modelDir), List.of(), problems, List.of());
        }
        boolean tokenizer = tokenizerPresent(modelDir);
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            CheckpointLayout layout = CheckpointLayout.of(config, source);
            problems.addAll(layout.problems());
            List<String> warnings = new ArrayList<>(layout.warnings());
            if (config.family().modality() == ModelFamily.Modality.TEXT && !tokenizer) {
                warnings.add("tokenizer.json is missing: text datasets cannot be tokenized for this model");
            }
            if (tokenizer) {
                // Parsed exactly as training will load it: a tokenizer that fails there fails here.
                try {
                    TextTokenizer.load(modelDir, 0);
                } catch (RuntimeException e) {
                    problems.add("tokenizer.json cannot be loaded: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                }
            }
            long params = 0;
            var dtypes = new TreeSet<String>();
            List<ModelReport.TensorEntry> tensors = new ArrayList<>();
            for (String name : source.names()) {
                TensorInfo info = source.info(name);
                tensors.add(new ModelReport.TensorEntry(name, info.dtype().headerName(), info.shape()));
                if (!layout.ignored().contains(name)) {
                    params += info.numel();
                    dtypes.add(info.dtype().headerName());
                }
            }
            return new ModelReport(config.family().modelType(), config.architecture(), layout.head().name().toLowerCase(),
                    params, List.copyOf(dtypes), tensors.size(), tokenizer, tensors, problems, warnings);
        } catch (CheckpointException e) {
            problems.add(e.getMessage());
            return new ModelReport(config.family().modelType(), config.architecture(), null, 0, List.of(), 0, tokenizer,
                    List.of(), problems, List.of());
        }
    }

    private static boolean tokenizerPresent(Path dir) {
        return Files.isRegularFile(dir.resolve("tokenizer.json"));
    }
}
