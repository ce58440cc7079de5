package dev.slicefine.api.models;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Deep inspection of a checkpoint folder, done by the engine ({@link EngineModelValidator}). Without an
 * implementation, models would stay 'validating' with a note saying the inspection is pending.
 */
public interface ModelValidator {
    ModelReport inspect(Path modelDir) throws IOException;
}
