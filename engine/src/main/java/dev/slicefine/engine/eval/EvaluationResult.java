package dev.slicefine.engine.eval;

import dev.slicefine.engine.data.Task;
import java.util.List;

/** An evaluation's scores (classification or lm, the other null) and its per-example predictions in dataset order. */
public record EvaluationResult(Task task, ClassificationMetrics classification, LmMetrics lm, List<ExamplePrediction> predictions) {}
