package dev.slicefine.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.GradientCollector;
import dev.slicefine.engine.ComputeDevice;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.data.Batch;
import dev.slicefine.engine.data.BatchSource;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.ModelOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop shared by every method: one NDScope per step, gradients only for the method's parameters,
 * clipping, the learning-rate schedule, evaluation, early stopping, and checkpoints that resume exactly (the batch
 * and the dropout seed of a step are functions of the step number).
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HfModel model;
    private final TrainingMethod method;
    private final TrainConfig config;
    private final BatchSource train;
    private final Evaluator evaluator;
    private final TrainListener listener;
    private final Path checkpointDir;

    public record Result(int steps, List<Double> losses, Map<String, Double> finalEval, boolean stoppedEarly,
                         boolean interrupted, double seconds, long trainableParameters) {}

    public Trainer(HfModel model, TrainingMethod method, TrainConfig config, BatchSource train, Evaluator evaluator,
                   TrainListener listener, Path checkpointDir) {
        this.model = model;
        this.method = method;
        this.config = config;
        this.train = train;
        this.evaluator = evaluator;
        this.listener = listener == null ? new TrainListener() {} : listener;
        this.checkpointDir = checkpointDir;
    }

    /** Runs to the end (or to a stop request); resumes from {@code checkpointDir/latest} when it exists. */
    public Result run() {
        // libtorch starts every new thread with gradient recording on, and DJL's collector restores what it found:
        // off here, so optimizer updates and evaluation record nothing, on whatever thread the run happens.
        JniUtils.setGradMode(false);
        NDManager manager = model.weights().manager();
        int total = config.totalSteps(train.stepsPerEpoch());
        LrSchedule schedule = new LrSchedule(config.lrSchedule(), config.warmupSteps(), total);
        try (Optimizer optimizer = config.optimizer().equals("sgd") ? new Sgd(config.weightDecay())
                : new AdamW(manager, config.beta1(), config.beta2(), config.eps(), config.weightDecay())) {
            int start = 0;
            double best = Double.NaN;
            int badEvals = 0;
            List<Double> losses = new ArrayList<>();
            Path latest = checkpointDir == null ? null : checkpointDir.resolve("latest");
            if (latest != null && Files.isDirectory(latest)) {
                ObjectNode meta = restore(latest, optimizer);
                start = meta.get("step").asInt();
                best = meta.get("best").isNull() ? Double.NaN : meta.get("best").asDouble();
                badEvals = meta.get("bad_evals").asInt();
                meta.get("losses").forEach(l -> losses.add(l.asDouble()));
            }
            listener.onEvent(new TrainEvent.Started(total, method.id(), config.task().id(), method.trainableParameterCount(),
                    model.weights().parameterCount(), ComputeDevice.of(manager.getDevice()).toString(), start));
            if (checkpointDir == null && (config.checkpointEvery() > 0 || config.checkpointMinutes() > 0)) {
                listener.onEvent(new TrainEvent.Warning("checkpoint_without_dir",
                        "checkpoints were asked for but the run has no checkpoint folder: none will be written"));
            }
            boolean images = config.task() == Task.IMAGE_CLASSIFICATION;
            long t0 = System.nanoTime();
            long lastCheckpoint = t0;
            long tokens = 0;
            boolean stoppedEarly = false;
            boolean interrupted = false;
            Map<String, Double> lastEval = Map.of();
            int step = start;
            for (; step < total; step++) {
                Engine.getInstance().setRandomSeed((int) (config.seed() * 1_000_003L + step));
                double lr = config.learningRate() * schedule.factor(step) * method.lrScale();
                double loss;
                double gradNorm;
                long batchTokens;
                try (NDScope scope = new NDScope()) {
                    Batch batch = train.batch(step, manager);
                    batchTokens = images ? batch.size() : batch.tokens();
                    List<Param> params = method.params();
                    NDArray lossArray;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        ModelOutput out = model.forward(batch.inputs(), true);
                        lossArray = loss(out, batch.labels());
                        gc.backward(lossArray);
                    }
                    loss = lossArray.getFloat();
                    if (!Double.isFinite(loss)) {
                        throw new TrainingDivergedException("the loss became " + loss + " at step " + step + nonFinite()
                                + ": lower the learning rate or enable gradient clipping");
                    }
                    gradNorm = clip(params);
                    optimizer.step(params, lr);
                    for (Param p : params) {
                        JniUtils.zeroGrad((PtNDArray) p.array());
                    }
                }
                tokens += batchTokens;
                losses.add(loss);
                TrainingMethod.StepOutcome outcome = method.afterStep(step);
                if (!outcome.resetParams().isEmpty()) {
                    optimizer.reset(outcome.resetParams());
                }
                outcome.events().forEach(listener::onEvent);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                if (config.logEvery() > 0 && ((step + 1) % config.logEvery() == 0 || step == start || step + 1 == total)) {
                    listener.onEvent(new TrainEvent.StepMetrics(step + 1, total, step / train.stepsPerEpoch(), loss, lr,
                            gradNorm, tokens / Math.max(elapsed, 1e-9),
                            images ? TrainEvent.StepMetrics.IMAGES : TrainEvent.StepMetrics.TOKENS, elapsed));
                }
                boolean last = step + 1 == total;
                if (evaluator != null && ((config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0) || last)) {
                    lastEval = evaluator.evaluate(model, manager);
                    listener.onEvent(new TrainEvent.Evaluation(step + 1, lastEval));
                    double metric = lastEval.get(evaluator.metricName());
                    boolean improved = Double.isNaN(best) || (evaluator.higherIsBetter() ? metric > best : metric < best);
                    if (improved) {
                        best = metric;
                        badEvals = 0;
                    } else {
                        badEvals++;
                    }
                    method.onEvaluation(step + 1, improved).forEach(listener::onEvent);
                    if (config.earlyStoppingPatience() > 0 && badEvals >= config.earlyStoppingPatience() && !last) {
                        listener.onEvent(new TrainEvent.EarlyStopped(step + 1, evaluator.metricName(), best));
                        stoppedEarly = true;
                        step++;
                        break;
                    }
                }
                boolean stop = listener.stopRequested();
                // by steps, by training time since the last checkpoint (a crash loses bounded work), or on the way out
                long now = System.nanoTime();
                boolean timed = config.checkpointMinutes() > 0 && now - lastCheckpoint >= config.checkpointMinutes() * 60e9;
                if (latest != null && !last && ((config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0)
                        || timed || stop)) {
                    save(latest, optimizer, step + 1, best, badEvals, losses);
                    lastCheckpoint = System.nanoTime();
                    listener.onEvent(new TrainEvent.Checkpoint(step + 1));
                }
                if (stop && !last) {
                    interrupted = true;
                    step++;
                    break;
                }
            }
            if (!interrupted) {
                method.finish();
            }
            listener.onEvent(new TrainEvent.Finished(step, interrupted ? "stopped" : stoppedEarly ? "early_stopped" : "completed"));
            return new Result(step, losses, lastEval, stoppedEarly, interrupted, (System.nanoTime() - t0) / 1e9,
                    method.trainableParameterCount());
        }
    }

    /** Names the weights holding NaN or infinity, for the error message. */
    private String nonFinite() {
        List<String> bad = new ArrayList<>();
        for (var e : model.weights().asMap().entrySet()) {
            try (NDArray finite = e.getValue().isInfinite().logicalOr(e.getValue().isNaN()).any()) {
                if (finite.getBoolean()) {
                    bad.add(e.getKey());
                }
            }
        }
        for (Param p : method.params()) {
            try (NDArray finite = p.array().isInfinite().logicalOr(p.array().isNaN()).any()) {
                if (finite.getBoolean()) {
                    bad.add(p.name());
                }
            }
        }
        return bad.isEmpty() ? "" : " (non-finite values in " + String.join(", ", bad.subList(0, Math.min(5, bad.size())))
                + (bad.size() > 5 ? " and " + (bad.size() - 5) + " more" : "") + ")";
    }

    private NDArray loss(ModelOutput out, NDArray labels) {
        if (config.task() == Task.CAUSAL_LM) {
            return Losses.causalLm(out.logits(), labels);
        }
        if (out.logits() == null) {
            throw new IllegalStateException("the model has no classification head");
        }
        return Losses.crossEntropy(out.logits(), labels);
    }

    /** Global L2 norm of the gradients, scaled down to gradClip when above it (torch's clip_grad_norm_). */
    private double clip(List<Param> params) {
        double sq = 0;
        List<NDArray> grads = new ArrayList<>(params.size());
        for (Param p : params) {
            NDArray g = p.array().getGradient();
            grads.add(g);
            sq += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sq);
        if (config.gradClip() > 0 && norm > config.gradClip()) {
            float scale = (float) (config.gradClip() / (norm + 1e-6));
            for (NDArray g : grads) {
                g.muli(scale);
            }
        }
        return norm;
    }

    private void save(Path latest, Optimizer optimizer, int nextStep, double best, int badEvals, List<Double> losses) {
        try {
            Path tmp = Files.createDirectories(latest.resolveSibling("latest.tmp-" + System.nanoTime()));
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            try (NDScope scope = new NDScope(); NDManager m = NDManager.newBaseManager()) {
                for (var e : method.checkpointTensors().entrySet()) {
                    tensors.put("m." + e.getKey(), e.getValue());
                }
                for (var e : optimizer.state().entrySet()) {
                    for (var s : e.getValue().entrySet()) {
                        tensors.put("opt." + e.getKey() + "|" + s.getKey(), m.create(s.getValue()));
                    }
                }
                SafetensorsWriter.write(tmp.resolve("state.safetensors"), tensors, Map.of("format", "slicefine-checkpoint"));
            }
            ObjectNode meta = JSON.createObjectNode();
            meta.put("step", nextStep);
            meta.put("method", method.id());
            if (Double.isNaN(best)) {
                meta.putNull("best");
            } else {
                meta.put("best", best);
            }
            meta.put("bad_evals", badEvals);
            meta.putPOJO("losses", losses);
            meta.set("method_state", method.checkpointMeta());
            JSON.writeValue(tmp.resolve("state.json").toFile(), meta);
            Path old = latest.resolveSibling("latest.old");
            deleteTree(old);
            if (Files.exists(latest)) {
                Files.move(latest, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint under " + latest.getParent(), e);
        }
    }

    private ObjectNode restore(Path latest, Optimizer optimizer) {
        try {
            ObjectNode meta = (ObjectNode) JSON.readTree(latest.resolve("state.json").toFile());
            if (!meta.get("method").asText().equals(method.id())) {
                throw new IllegalArgumentException("checkpoint " + latest + " was made by method " + meta.get("method").asText()
                        + ", not " + method.id());
            }
            Map<String, float[]> methodTensors = new LinkedHashMap<>();
            Map<String, Map<String, float[]>> opt = new LinkedHashMap<>();
            try (SafetensorsFile f = SafetensorsFile.open(latest.resolve("state.safetensors")); NDManager m = NDManager.newBaseManager()) {
                for (String name : f.names()) {
                    float[] values = f.load(name, m).toFloatArray();
                    if (name.startsWith("m.")) {
                        methodTensors.put(name.substring(2), values);
                    } else if (name.startsWith("opt.")) {
                        String rest = name.substring(4);
                        int bar = rest.lastIndexOf('|');
                        opt.computeIfAbsent(rest.substring(0, bar), k -> new LinkedHashMap<>()).put(rest.substring(bar + 1), values);
                    }
                }
            }
            method.restore(methodTensors, (ObjectNode) meta.get("method_state"));
            optimizer.restore(opt, method.params());
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + latest, e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
