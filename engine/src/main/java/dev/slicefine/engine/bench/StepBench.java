package dev.slicefine.engine.bench;

import dev.slicefine.engine.cli.Args;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.slicefine.engine.data.Batch;
import dev.slicefine.engine.data.BatchSource;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.lora.LoraMethod;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceFineMethod;
import dev.slicefine.engine.peft.slice.SliceMode;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.engine.train.Trainer;
import dev.slicefine.engine.train.TrainingMethod;
import dev.slicefine.engine.train.WholeTensorMethod;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Step time of the fine-tuning methods through the real {@link Trainer}: each method trains its own copy of the model
 * on one fixed batch for warm-up + measured steps. With several methods, each runs in its own thread and a
 * {@link Baton} interleaves them round-robin (one step of each method per round), so slow drift in the machine's load
 * hits every method alike. A step is timed from the moment its thread gets the turn to the trainer's onStep callback:
 * batch, forward, loss, backward, gradient clipping, AdamW, zeroing the gradients, the method's afterStep.
 */
final class StepBench {
    static final List<String> METHODS = List.of("full", "lora", "slicefine-column", "slicefine-row");
    /** Accepted besides the defaults: {@code head} (classifier only: no backward through the encoder, about a forward's cost). */
    static final List<String> ALL_METHODS = List.of("full", "lora", "slicefine-column", "slicefine-row", "head");

    record Options(ModelShape shape, int batch, int seq, int steps, int warmup, List<String> methods) {}

    record MethodResult(String method, long trainableParameters, List<Double> stepMs, List<Double> warmupMs) {
        double medianMs() {
            return Stats.median(stepMs);
        }
    }

    private StepBench() {}

    static TrainingMethod method(String id) {
        return switch (id) {
            case "full" -> WholeTensorMethod.full();
            case "head" -> WholeTensorMethod.headOnly();
            case "lora" -> new LoraMethod(LoraConfig.defaults(), 42);
            case "slicefine-column" -> new SliceFineMethod(SliceConfig.defaults());
            case "slicefine-row" -> new SliceFineMethod(new SliceConfig(4, List.of(SliceMode.ROW), 50, 0, 0, 1.0, 0.0, 0, 0.5, 1,
                    false, List.of()));
            default -> throw new Args.UsageException("step: unknown method '" + id + "' (one of " + String.join(", ", METHODS) + ")");
        };
    }

    /** The learning rate each method would use (the quality bench's choices); it does not change the cost of a step. */
    static double learningRate(String id) {
        return switch (id) {
            case "full" -> 5e-5;
            case "lora" -> 1e-3;
            case "head" -> 2e-3;
            default -> 5e-3;
        };
    }

    static TrainConfig trainConfig(Options o, String method) {
        return new TrainConfig(Task.TEXT_CLASSIFICATION, "adamw", learningRate(method), 0.0, 0.9, 0.999, 1e-8,
                LrSchedule.Kind.CONSTANT, 0, 1, o.warmup() + o.steps(), o.batch(), Math.max(2, o.seq()), 1.0, 0, 0, 0, 1, 42);
    }

    /** One fixed random batch: token ids uniform over the vocabulary, mask all ones, random labels. */
    private static final class FixedBatch implements BatchSource {
        private final Batch batch;

        FixedBatch(Options o, NDManager manager) {
            manager.getEngine().setRandomSeed(7);
            Shape s = new Shape(o.batch(), o.seq());
            NDArray ids = manager.randomInteger(0, o.shape().vocab(), s, DataType.INT64);
            NDArray mask = manager.ones(s, DataType.INT64);
            NDArray labels = manager.randomInteger(0, o.shape().labels(), new Shape(o.batch()), DataType.INT64);
            batch = new Batch(ModelInputs.text(ids, mask), labels, o.batch(), (long) o.batch() * o.seq());
        }

        @Override
        public int stepsPerEpoch() {
            return 1;
        }

        @Override
        public Batch batch(int step, NDManager manager) {
            return batch;
        }

        @Override
        public int size() {
            return batch.size();
        }
    }

    private static final class Runner implements Runnable {
        final int index;
        final String id;
        final HfModel model;
        final TrainingMethod method;
        final TrainConfig config;
        final BatchSource source;
        final Baton baton;
        final int warmup;
        final List<Double> times = Collections.synchronizedList(new ArrayList<>());
        PrintStream log;
        long start;

        Runner(int index, String id, HfModel model, TrainingMethod method, TrainConfig config, BatchSource source, Baton baton, int warmup) {
            this.index = index;
            this.id = id;
            this.model = model;
            this.method = method;
            this.config = config;
            this.source = source;
            this.baton = baton;
            this.warmup = warmup;
        }

        @Override
        public void run() {
            try {
                // Autograd's grad mode is per thread and on by default in a new one; the trainer (like the main thread
                // after DJL starts) expects it off outside its GradientCollector, or AdamW's in-place updates fail.
                JniUtils.setGradMode(false);
                baton.await(index);
                TrainListener listener = new TrainListener() {
                    @Override
                    public void onEvent(TrainEvent event) {
                        if (!(event instanceof TrainEvent.StepMetrics m)) {
                            return;
                        }
                        double ms = (System.nanoTime() - start) / 1e6;
                        times.add(ms);
                        if (log != null) {
                            log.printf(java.util.Locale.ROOT, "bench step: %-16s step %d/%d %s %.1f ms%n", id, m.step(), m.totalSteps(),
                                    m.step() <= warmup ? "(warm-up)" : "", ms);
                        }
                        if (m.step() < m.totalSteps()) {
                            baton.pass(index);
                            baton.await(index);
                            start = System.nanoTime();
                        }
                    }
                };
                start = System.nanoTime();
                new Trainer(model, method, config, source, null, listener, null).run();
            } catch (Baton.Aborted e) {
                // another method failed; its error is reported
            } catch (Throwable t) {
                baton.fail(new IllegalStateException(id + ": " + t.getMessage(), t));
            } finally {
                baton.finish(index);
            }
        }
    }

    /** Runs the methods interleaved in this JVM; {@code log} (may be null) gets one line per step. */
    static List<MethodResult> run(Options o, PrintStream log) {
        List<MethodResult> results = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            BatchSource source = new FixedBatch(o, root);
            Baton baton = new Baton(o.methods().size());
            List<Runner> runners = new ArrayList<>();
            try {
                for (int i = 0; i < o.methods().size(); i++) {
                    String id = o.methods().get(i);
                    HfModel model = o.shape().build(root, 42);
                    TrainingMethod m = method(id);
                    Runner r = new Runner(i, id, model, m, trainConfig(o, id), source, baton, o.warmup());
                    r.log = log;
                    runners.add(r);
                    m.prepare(model, root);
                    if (m instanceof SliceFineMethod s) {
                        s.setPeakLearningRate(learningRate(id));
                    }
                }
                List<Thread> threads = new ArrayList<>();
                for (Runner r : runners) {
                    Thread t = new Thread(null, r, "bench-" + r.id, 16L << 20);
                    threads.add(t);
                    t.start();
                }
                for (Thread t : threads) {
                    t.join();
                }
                if (baton.failure() != null) {
                    Throwable f = baton.failure();
                    throw f instanceof RuntimeException re ? re : new IllegalStateException(f.getMessage(), f);
                }
                for (Runner r : runners) {
                    List<Double> all = new ArrayList<>(r.times);
                    int w = Math.min(o.warmup(), all.size());
                    results.add(new MethodResult(r.id, r.method.trainableParameterCount(), List.copyOf(all.subList(w, all.size())),
                            List.copyOf(all.subList(0, w))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                for (Runner r : runners) {
                    r.method.close();
                    r.model.close();
                }
            }
        }
        return results;
    }
}
