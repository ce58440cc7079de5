package dev.slicefine.engine.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores of a classifier over the examples whose label the model knows, computed as scikit-learn computes them
 * (zero_division = 0): accuracy; per-label precision, recall, F1 and support; macro F1 = the unweighted mean of F1 over
 * the labels that occur in the gold labels or the predictions; weighted F1 = the support-weighted mean; the confusion
 * matrix (row = gold label, column = predicted label, in the model's label order); mean cross-entropy loss. Examples
 * whose gold label the model does not know are counted in {@code unknownLabels} (by label) and left out of every score.
 */
public record ClassificationMetrics(
        long examples,
        long evaluated,
        double accuracy,
        double macroF1,
        double weightedF1,
        double meanLoss,
        List<LabelScores> perLabel,
        List<String> labels,
        long[][] confusionMatrix,
        long unknownLabelCount,
        Map<String, Long> unknownLabels) {

    public record LabelScores(String label, double precision, double recall, double f1, long support) {}

    /**
     * labels: the model's labels; gold: class ids, or -1 where the example's label is unknown to the model (its name
     * in goldNames); pred: predicted class ids; loss: each example's cross-entropy (ignored where gold is -1).
     */
    public static ClassificationMetrics compute(List<String> labels, int[] gold, String[] goldNames, int[] pred, double[] loss) {
        int k = labels.size();
        long[][] cm = new long[k][k];
        long evaluated = 0;
        long correct = 0;
        double lossSum = 0;
        Map<String, Long> unknown = new LinkedHashMap<>();
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0) {
                unknown.merge(goldNames[i], 1L, Long::sum);
                continue;
            }
            cm[gold[i]][pred[i]]++;
            evaluated++;
            lossSum += loss[i];
            if (gold[i] == pred[i]) {
                correct++;
            }
        }
        List<LabelScores> per = new ArrayList<>(k);
        double macroSum = 0;
        int macroCount = 0;
        double weightedSum = 0;
        for (int c = 0; c < k; c++) {
            long tp = cm[c][c];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                support += cm[c][j];
                predicted += cm[j][c];
            }
            double precision = predicted == 0 ? 0 : tp / (double) predicted;
            double recall = support == 0 ? 0 : tp / (double) support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            per.add(new LabelScores(labels.get(c), precision, recall, f1, support));
            if (support > 0 || predicted > 0) {
                macroSum += f1;
                macroCount++;
            }
            weightedSum += f1 * support;
        }
        double nan = Double.NaN;
        return new ClassificationMetrics(gold.length, evaluated,
                evaluated == 0 ? nan : correct / (double) evaluated,
                macroCount == 0 ? nan : macroSum / macroCount,
                evaluated == 0 ? nan : weightedSum / evaluated,
                evaluated == 0 ? nan : lossSum / evaluated,
                per, List.copyOf(labels), cm, gold.length - evaluated, unknown);
    }
}
