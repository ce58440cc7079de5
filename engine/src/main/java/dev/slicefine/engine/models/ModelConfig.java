package dev.slicefine.engine.models;

import java.util.List;
import java.util.Map;

/** A parsed Hugging Face {@code config.json}, one record per family. */
public interface ModelConfig {
    ModelFamily family();

    /** The first entry of {@code architectures}, or an empty string. */
    String architecture();

    int hiddenSize();

    int numLayers();

    /** id2label in id order; empty for models without a classification head in their config. */
    List<String> labels();

    /** Every tensor the checkpoint must hold for this config with its shape, by Hugging Face name (the head excluded). */
    Map<String, long[]> expectedBackboneTensors(String prefix);
}
