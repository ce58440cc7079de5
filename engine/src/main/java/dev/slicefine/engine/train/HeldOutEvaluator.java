package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.slicefine.engine.data.Batch;
import dev.slicefine.engine.data.ExampleBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every held-out example once, in eval mode: accuracy and mean loss for classifiers; mean token loss and perplexity
 * (exp of the token-weighted mean loss) for causal LMs.
 */
public final class HeldOutEvaluator implements Evaluator {
    private final ExampleBatches data;
    private final Task task;

    public HeldOutEvaluator(ExampleBatches data, Task task) {
        this.data = data;
        this.task = task;
    }

    @Override
    public Map<String, Double> evaluate(HfModel model, NDManager manager) {
        double lossSum = 0;
        double weight = 0;
        long correct = 0;
        long total = 0;
        for (int i = 0; i < data.evalSteps(); i++) {
            try (NDScope scope = new NDScope()) {
                Batch b = data.evalBatch(i, manager);
                NDArray logits = model.forward(b.inputs(), false).logits();
                if (task == Task.CAUSAL_LM) {
                    NDArray target = b.labels().get(":, 1:");
                    float n = target.neq(Losses.IGNORE).toType(DataType.FLOAT32, false).sum().getFloat();
                    if (n > 0) {
                        lossSum += Losses.causalLm(logits, b.labels()).getFloat() * n;
                        weight += n;
                    }
                } else {
                    lossSum += Losses.crossEntropy(logits, b.labels()).getFloat() * b.size();
                    weight += b.size();
                    NDArray pred = logits.argMax(-1).toType(DataType.INT64, false);
                    correct += pred.eq(b.labels()).toType(DataType.INT64, false).sum().getLong();
                    total += b.size();
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        double loss = weight > 0 ? lossSum / weight : Double.NaN;
        out.put("eval_loss", loss);
        if (task == Task.CAUSAL_LM) {
            out.put("perplexity", Math.exp(loss));
        } else {
            out.put("accuracy", total > 0 ? correct / (double) total : Double.NaN);
        }
        return out;
    }

    @Override
    public String metricName() {
        return task == Task.CAUSAL_LM ? "eval_loss" : "accuracy";
    }

    @Override
    public boolean higherIsBetter() {
        return task != Task.CAUSAL_LM;
    }
}
