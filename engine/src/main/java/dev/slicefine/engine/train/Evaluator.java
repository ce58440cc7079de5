package dev.slicefine.engine.train;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.models.HfModel;
import java.util.Map;

/** Scores a model on held-out data: accuracy + loss for classifiers, loss + perplexity for causal LMs. */
public interface Evaluator {
    Map<String, Double> evaluate(HfModel model, NDManager manager);

    /** The metric early stopping and rank decay watch. */
    String metricName();

    boolean higherIsBetter();
}
