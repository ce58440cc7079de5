package dev.slicefine.api.models;

import dev.slicefine.engine.checkpoint.ModelInspector;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** The engine's checkpoint inspection (headers only, no weights loaded) behind {@link ModelValidator}. */
@Component
class EngineModelValidator implements ModelValidator {

    @Override
    public ModelReport inspect(Path modelDir) {
        dev.slicefine.engine.checkpoint.ModelReport r = ModelInspector.inspect(modelDir);
        return new ModelReport(r.family(), r.architecture(), r.head(), r.parameterCount(), r.dtypes(), r.tensorCount(),
                r.tokenizerPresent(), r.problems(), r.warnings(), null);
    }
}
