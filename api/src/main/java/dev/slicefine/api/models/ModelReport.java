package dev.slicefine.api.models;

import java.util.List;

/**
 * What validation found. The structure fields come from config.json and the safetensors headers; the engine's
 * inspection (family, parameter count, tokenizer) fills the rest. {@code pending} says what has not run yet.
 */
public record ModelReport(String family, String architecture, String head, Long parameterCount, List<String> dtypes,
                          Integer tensorCount, Boolean tokenizerPresent, List<String> problems, List<String> warnings,
                          String pending) {

    public boolean valid() {
        return problems == null || problems.isEmpty();
    }
}
