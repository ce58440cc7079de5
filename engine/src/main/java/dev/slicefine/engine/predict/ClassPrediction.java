package dev.slicefine.engine.predict;

import java.util.Map;

/** One input's class: the most probable label, its probability, and every label's probability in label order. */
public record ClassPrediction(String label, double score, Map<String, Double> probabilities) {}
