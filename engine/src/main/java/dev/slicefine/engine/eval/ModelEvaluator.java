package dev.slicefine.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.slicefine.engine.data.Batch;
import dev.slicefine.engine.data.Dataset;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.DatasetOptions;
import dev.slicefine.engine.data.DatasetReader;
import dev.slicefine.engine.data.Example;
import dev.slicefine.engine.data.ExampleBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.engine.predict.Predictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a loaded model over every example of a dataset once, in eval mode and file order, and scores it. The dataset
 * is read with its own labels, then mapped onto the model's by name, so an example whose label the model does not know
 * is reported rather than refused or silently dropped.
 */
public final class ModelEvaluator {
    /** Called after each batch; may throw to stop the evaluation (a cancel). */
    @FunctionalInterface
    public interface Progress {
        void batchDone(int done, int total);
    }

    private ModelEvaluator() {}

    public static EvaluationResult evaluate(LoadedModel model, Path dataset, int maxSeqLen, int batchSize, Progress progress) {
        return evaluate(model, read(model, dataset, null, maxSeqLen), maxSeqLen, batchSize, progress);
    }

    /**
     * Reads a dataset file for this model (its tokenizer, or its image size), with its own labels; {@code fields}
     * (null: the defaults) names the fields, as the dataset's upload did.
     */
    public static Dataset read(LoadedModel model, Path dataset, DatasetFields fields, int maxSeqLen) {
        DatasetOptions options = switch (model.task()) {
            case TEXT_CLASSIFICATION -> DatasetOptions.textClassification(model.tokenizer(), maxSeqLen);
            case CAUSAL_LM -> {
                int eos = ((LlamaConfig) model.model().config()).eosTokenId();
                yield DatasetOptions.causalLm(model.tokenizer(), maxSeqLen, eos >= 0 ? eos : null);
            }
            case IMAGE_CLASSIFICATION -> DatasetOptions.imageClassification(model.image());
        };
        return DatasetReader.read(dataset, fields == null ? options : options.withFields(fields));
    }

    public static EvaluationResult evaluate(LoadedModel model, Dataset data, int maxSeqLen, int batchSize, Progress progress) {
        JniUtils.setGradMode(false);
        ExampleBatches batches = data.task() == Task.IMAGE_CLASSIFICATION ? ExampleBatches.images(data, batchSize, 0)
                : ExampleBatches.text(data, batchSize, 0, maxSeqLen, model.padId());
        return data.task() == Task.CAUSAL_LM ? lm(model, data, batches, batchSize, progress)
                : classification(model, data, batches, batchSize, progress);
    }

    private static EvaluationResult classification(LoadedModel model, Dataset data, ExampleBatches batches, int batchSize,
                                                   Progress progress) {
        List<String> labels = model.labels();
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            ids.put(labels.get(i), i);
        }
        int n = data.size();
        int[] gold = new int[n];
        String[] goldNames = new String[n];
        int[] pred = new int[n];
        double[] loss = new double[n];
        List<ExamplePrediction> out = new ArrayList<>(n);
        Predictor predictor = new Predictor(model);
        try (NDManager m = model.model().weights().manager().newSubManager()) {
            for (int b = 0; b < batches.evalSteps(); b++) {
                double[][] probs;
                try (NDScope scope = new NDScope()) {
                    probs = predictor.probabilities(batches.evalBatch(b, m).inputs());
                }
                for (int r = 0; r < probs.length; r++) {
                    int i = b * batchSize + r;
                    Example e = data.examples().get(i);
                    goldNames[i] = data.labels().get(e.label());
                    Integer g = ids.get(goldNames[i]);
                    gold[i] = g == null ? -1 : g;
                    int best = 0;
                    for (int j = 1; j < probs[r].length; j++) {
                        if (probs[r][j] > probs[r][best]) {
                            best = j;
                        }
                    }
                    pred[i] = best;
                    loss[i] = g == null ? Double.NaN : -Math.log(probs[r][g]);
                    int line = e instanceof Example.Text t ? t.line() : 0;
                    String source = e instanceof Example.Image im ? im.source() : null;
                    out.add(new ExamplePrediction.Classified(i, line, source, goldNames[i], g != null, labels.get(best),
                            probs[r][best], loss[i], probs[r]));
                }
                progress.batchDone(b + 1, batches.evalSteps());
            }
        }
        return new EvaluationResult(data.task(), ClassificationMetrics.compute(labels, gold, goldNames, pred, loss), null, out);
    }

    /**
     * Teacher-forced next-token loss per example. Exact match needs no generation: a greedy decode reproduces the
     * expected completion exactly when, at every completion position, the argmax given the expected prefix is the
     * expected token (by induction over the positions), which the same forward pass gives.
     */
    private static EvaluationResult lm(LoadedModel model, Dataset data, ExampleBatches batches, int batchSize, Progress progress) {
        int n = data.size();
        double[] lossSums = new double[n];
        long[] tokens = new long[n];
        Boolean[] exact = new Boolean[n];
        List<ExamplePrediction> out = new ArrayList<>(n);
        try (NDManager m = model.model().weights().manager().newSubManager()) {
            for (int b = 0; b < batches.evalSteps(); b++) {
                float[] picked;
                long[] argmax;
                long[] target;
                long rows;
                long cols;
                try (NDScope scope = new NDScope()) {
                    Batch batch = batches.evalBatch(b, m);
                    NDArray logits = model.model().forward(batch.inputs(), false).logits();
                    rows = logits.getShape().get(0);
                    long s = logits.getShape().get(1);
                    long v = logits.getShape().get(2);
                    cols = s - 1;
                    NDArray shifted = logits.get(":, 0:" + cols + ", :").reshape(rows * cols, v);
                    NDArray t = batch.labels().get(":, 1:").reshape(-1);
                    NDArray safe = t.mul(t.neq(ExampleBatches.IGNORE_INDEX).toType(DataType.INT64, false));
                    picked = shifted.logSoftmax(-1).get(new NDIndex().addAllDim().addPickDim(safe.reshape(-1, 1))).reshape(-1)
                            .toFloatArray();
                    argmax = shifted.argMax(-1).toType(DataType.INT64, false).toLongArray();
                    target = t.toLongArray();
                }
                for (int r = 0; r < rows; r++) {
                    int i = b * batchSize + r;
                    Example.Lm e = (Example.Lm) data.examples().get(i);
                    double sum = 0;
                    long count = 0;
                    boolean all = true;
                    for (int c = 0; c < cols; c++) {
                        int at = (int) (r * cols + c);
                        if (target[at] == ExampleBatches.IGNORE_INDEX) {
                            continue;
                        }
                        sum -= picked[at];
                        count++;
                        all &= argmax[at] == target[at];
                    }
                    boolean hasPrompt = e.labels().length > 0 && e.labels()[0] == ExampleBatches.IGNORE_INDEX;
                    lossSums[i] = sum;
                    tokens[i] = count;
                    exact[i] = hasPrompt ? all : null;
                    out.add(new ExamplePrediction.Completion(i, e.line(), count, sum, exact[i]));
                }
                progress.batchDone(b + 1, batches.evalSteps());
            }
        }
        return new EvaluationResult(Task.CAUSAL_LM, null, LmMetrics.compute(lossSums, tokens, exact), out);
    }
}
