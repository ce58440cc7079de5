package dev.slicefine.engine.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** An evaluation as the API stores and returns it: snake_case JSON, a score that does not exist (NaN) as null. */
public final class EvaluationJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvaluationJson() {}

    public static ObjectNode metrics(EvaluationResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", r.task().id());
        if (r.classification() != null) {
            ClassificationMetrics c = r.classification();
            o.put("examples", c.examples());
            o.put("evaluated", c.evaluated());
            num(o, "accuracy", c.accuracy());
            num(o, "macro_f1", c.macroF1());
            num(o, "weighted_f1", c.weightedF1());
            num(o, "mean_loss", c.meanLoss());
            ArrayNode per = o.putArray("per_label");
            for (ClassificationMetrics.LabelScores s : c.perLabel()) {
                ObjectNode n = per.addObject();
                n.put("label", s.label());
                n.put("precision", s.precision());
                n.put("recall", s.recall());
                n.put("f1", s.f1());
                n.put("support", s.support());
            }
            ObjectNode cm = o.putObject("confusion_matrix");
            ArrayNode labels = cm.putArray("labels");
            c.labels().forEach(labels::add);
            ArrayNode rows = cm.putArray("rows");
            for (long[] row : c.confusionMatrix()) {
                ArrayNode a = rows.addArray();
                for (long v : row) {
                    a.add(v);
                }
            }
            o.put("unknown_label_count", c.unknownLabelCount());
            ObjectNode unknown = o.putObject("unknown_labels");
            c.unknownLabels().forEach(unknown::put);
        } else {
            LmMetrics l = r.lm();
            o.put("examples", l.examples());
            o.put("tokens", l.tokens());
            num(o, "mean_loss", l.meanLoss());
            num(o, "perplexity", l.perplexity());
            if (l.exactMatch() == null) {
                o.putNull("exact_match");
            } else {
                o.put("exact_match", l.exactMatch());
            }
            o.put("exact_match_count", l.exactMatchCount());
            o.put("exact_match_examples", l.exactMatchExamples());
        }
        return o;
    }

    /** One example's prediction; labels: the model's labels (for the probabilities by name). */
    public static ObjectNode prediction(ExamplePrediction p, List<String> labels) {
        ObjectNode o = JSON.createObjectNode();
        o.put("index", p.index());
        if (p instanceof ExamplePrediction.Classified c) {
            if (c.source() != null) {
                o.put("source", c.source());
            } else {
                o.put("line", c.line());
            }
            o.put("label", c.label());
            o.put("known_label", c.known());
            o.put("predicted", c.predicted());
            o.put("score", c.score());
            num(o, "loss", c.loss());
            ObjectNode probs = o.putObject("probabilities");
            for (int i = 0; i < labels.size(); i++) {
                probs.put(labels.get(i), c.probabilities()[i]);
            }
        } else if (p instanceof ExamplePrediction.Completion c) {
            o.put("line", c.line());
            o.put("tokens", c.tokens());
            o.put("loss_sum", c.lossSum());
            if (c.exactMatch() == null) {
                o.putNull("exact_match");
            } else {
                o.put("exact_match", c.exactMatch());
            }
        }
        return o;
    }

    private static void num(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }
}
