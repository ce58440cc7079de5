package dev.slicefine.engine.finetune;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.ComputeDevice;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.artifact.CheckpointHash;
import dev.slicefine.engine.artifact.PeftExporter;
import dev.slicefine.engine.artifact.SliceDiff;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.BatchSource;
import dev.slicefine.engine.data.Dataset;
import dev.slicefine.engine.data.DatasetOptions;
import dev.slicefine.engine.data.DatasetReader;
import dev.slicefine.engine.data.DatasetSplit;
import dev.slicefine.engine.data.ExampleBatches;
import dev.slicefine.engine.data.ImageSpec;
import dev.slicefine.engine.data.ReplayBatches;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.Heads;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.models.vit.VitConfig;
import dev.slicefine.engine.peft.lora.LoraLinear;
import dev.slicefine.engine.peft.lora.LoraMethod;
import dev.slicefine.engine.peft.slice.SliceFineMethod;
import dev.slicefine.engine.peft.slice.SliceLinear;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import dev.slicefine.engine.train.Evaluator;
import dev.slicefine.engine.train.HeldOutEvaluator;
import dev.slicefine.engine.train.Param;
import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.engine.train.Trainer;
import dev.slicefine.engine.train.TrainingMethod;
import dev.slicefine.engine.train.WholeTensorMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One fine-tuning run end to end, as the launcher and the worker run it: checks that the task fits the model, reads and
 * validates the data, loads the model (fresh classifier when needed), trains with the chosen method (resuming from a
 * checkpoint when one exists), and writes the artifact: a slice diff (slicefine, head), a PEFT adapter (lora) or a
 * full checkpoint (full), each with manifest.json.
 */
public final class FineTune {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FineTune() {}

    public record Outcome(Trainer.Result result, Path artifact, ObjectNode manifest) {}

    /** The task if the model's family trains it, else {@link InvalidConfigException} on {@code task}. */
    public static Task checkTask(ModelConfig config, Task task) {
        ConfigError fit = task.fitError(config.family());
        if (fit != null) {
            throw new InvalidConfigException(List.of(fit));
        }
        return task;
    }

    /** {@link #run(FineTuneSpec, TrainListener, ComputeDevice)} on {@link ComputeDevice#AUTO}, DJL's own default. */
    public static Outcome run(FineTuneSpec spec, TrainListener listener) {
        return run(spec, listener, ComputeDevice.AUTO);
    }

    /** The run with the model, its data and its training on {@code device} (auto is resolved here). */
    public static Outcome run(FineTuneSpec spec, TrainListener listener, ComputeDevice device) {
        ModelConfig config = ModelConfigs.read(spec.model());
        Task task = checkTask(config, spec.train().task());
        String baseSha = CheckpointHash.of(spec.model());
        Data data = data(spec, config, task);
        try (NDManager root = device.newManager()) {
            HfModel model = HfModels.load(spec.model(), root);
            try {
                List<String> labels = data.labels;
                if (task != Task.CAUSAL_LM) {
                    model = Heads.withClassifier(model, labels, spec.train().seed());
                }
                try (TrainingMethod method = method(spec)) {
                    method.prepare(model, root);
                    if (method instanceof SliceFineMethod s) {
                        s.setPeakLearningRate(spec.train().learningRate());
                    }
                    Trainer.Result result = new Trainer(model, method, spec.train(), data.train, data.eval, listener,
                            spec.checkpointDir()).run();
                    if (result.interrupted()) {
                        return new Outcome(result, null, null);
                    }
                    ObjectNode manifest = manifest(spec, config, model, baseSha, labels, result, method);
                    Path artifact = writeArtifact(spec, config, model, method, manifest);
                    return new Outcome(result, artifact, manifest);
                }
            } finally {
                model.close();
                data.close();
            }
        }
    }

    private record Data(BatchSource train, Evaluator eval, List<String> labels, AutoCloseable resource) {
        void close() {
            if (resource != null) {
                try {
                    resource.close();
                } catch (Exception e) {
                    // nothing held that matters after the run
                }
            }
        }
    }

    private static Data data(FineTuneSpec spec, ModelConfig config, Task task) {
        if (spec.batches() != null) {
            ReplayBatches replay = new ReplayBatches(spec.batches());
            return new Data(replay, null, config.labels(), replay);
        }
        DatasetOptions options;
        int pad = 0;
        TextTokenizer tokenizer = null;
        if (task == Task.IMAGE_CLASSIFICATION) {
            options = DatasetOptions.imageClassification(ImageSpec.forModel(spec.model(), ((VitConfig) config).imageSize()));
        } else {
            tokenizer = TextTokenizer.load(spec.model(), 0);
            if (task == Task.CAUSAL_LM) {
                LlamaConfig l = (LlamaConfig) config;
                options = DatasetOptions.causalLm(tokenizer, spec.train().maxSeqLen(), l.eosTokenId() >= 0 ? l.eosTokenId() : null);
                pad = Math.max(l.padTokenId(), 0);
            } else {
                options = DatasetOptions.textClassification(tokenizer, spec.train().maxSeqLen());
                pad = ((BertConfig) config).padTokenId();
            }
        }
        if (spec.limit() > 0) {
            options = options.withLimit(spec.limit());
        }
        try {
            Dataset train = DatasetReader.read(spec.dataset(), options.withFields(spec.fields()));
            Dataset eval = null;
            if (spec.validation() != null) {
                DatasetOptions evalOptions = options.withFields(spec.validationFields());
                eval = DatasetReader.read(spec.validation(), task == Task.CAUSAL_LM ? evalOptions : evalOptions.withLabels(train.labels()));
            } else if (spec.validationSplit() > 0) {
                DatasetSplit.Split split = DatasetSplit.split(train, spec.validationSplit(), spec.train().seed());
                train = split.train();
                eval = split.test();
            }
            ExampleBatches trainBatches = batches(task, train, spec, pad, spec.train().seed());
            Evaluator evaluator = eval == null ? null : new HeldOutEvaluator(batches(task, eval, spec, pad, 0), task);
            return new Data(trainBatches, evaluator, train.labels(), tokenizer);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    private static ExampleBatches batches(Task task, Dataset d, FineTuneSpec spec, int pad, long seed) {
        return task == Task.IMAGE_CLASSIFICATION
                ? ExampleBatches.images(d, spec.train().batchSize(), seed)
                : ExampleBatches.text(d, spec.train().batchSize(), seed, spec.train().maxSeqLen(), pad);
    }

    private static TrainingMethod method(FineTuneSpec spec) {
        return switch (spec.method()) {
            case "slicefine" -> new SliceFineMethod(spec.slice());
            case "lora" -> new LoraMethod(spec.lora(), spec.train().seed());
            case "full" -> WholeTensorMethod.full();
            default -> WholeTensorMethod.headOnly();
        };
    }

    private static ObjectNode manifest(FineTuneSpec spec, ModelConfig config, HfModel model, String baseSha, List<String> labels,
                                       Trainer.Result result, TrainingMethod method) {
        ObjectNode m = JSON.createObjectNode();
        ObjectNode base = m.putObject("base");
        base.put("sha256", baseSha);
        base.put("family", config.family().modelType());
        base.put("architecture", config.architecture());
        base.put("name", spec.model().getFileName() == null ? spec.model().toString() : spec.model().getFileName().toString());
        base.put("parameters", model.weights().parameterCount());
        m.put("method", method.id());
        m.put("task", spec.train().task().id());
        ArrayNode l = m.putArray("labels");
        labels.forEach(l::add);
        ObjectNode hp = m.putObject("hyperparameters");
        hp.set("train", JSON.valueToTree(spec.train()));
        if (method instanceof SliceFineMethod s) {
            hp.set("slicefine", JSON.valueToTree(spec.slice()));
            ArrayNode t = m.putArray("targets");
            s.slices().forEach(x -> t.add(x.name()));
        } else if (method instanceof LoraMethod lm) {
            hp.set("lora", JSON.valueToTree(spec.lora()));
            ArrayNode t = m.putArray("targets");
            lm.layers().keySet().forEach(t::add);
        }
        ObjectNode metrics = m.putObject("metrics");
        metrics.put("steps", result.steps());
        metrics.put("trainable_parameters", result.trainableParameters());
        List<Double> losses = result.losses();
        int tail = Math.min(10, losses.size());
        metrics.put("final_loss", losses.subList(losses.size() - tail, losses.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        metrics.put("stopped_early", result.stoppedEarly());
        result.finalEval().forEach(metrics::put);
        m.put("engine", "slicefine-engine 0.1.0 (DJL 0.36, PyTorch 2.7.1)");
        return m;
    }

    private static Path writeArtifact(FineTuneSpec spec, ModelConfig config, HfModel model, TrainingMethod method, ObjectNode manifest) {
        Path out = spec.out();
        try {
            Files.createDirectories(out);
            List<Param> head = new ArrayList<>();
            for (String n : model.headTensorNames()) {
                head.add(new Param(n, model.weights().get(n)));
            }
            if (method instanceof SliceFineMethod s) {
                List<Param> whole = new ArrayList<>(head);
                whole.addAll(s.biasParams());
                SliceDiff diff = SliceDiff.of(s.slices(), whole, manifest);
                diff.manifest().put("stored_values", diff.storedValues());
                diff.manifest().put("stored_fraction", diff.storedValues() / (double) model.weights().parameterCount());
                diff.write(out);
            } else if (method instanceof LoraMethod lm) {
                List<PeftExporter.AdapterLayer> layers = new ArrayList<>();
                for (Map.Entry<String, LoraLinear> e : lm.layers().entrySet()) {
                    LoraLinear ll = e.getValue();
                    layers.add(new PeftExporter.AdapterLayer(e.getKey(), ll.outFeatures(), ll.inFeatures(),
                            ll.a().toFloatArray(), ll.b().toFloatArray()));
                }
                List<SliceDiff.Replacement> rep = head.stream().map(p -> new SliceDiff.Replacement(p.name(),
                        p.array().getShape().getShape(), p.array().toFloatArray())).toList();
                PeftExporter.writeAdapter(config, model.prefix(), layers, lm.config().r(), lm.config().alpha(), rep, out,
                        PeftExporter.baseName(manifest, spec.model()), manifest.path("base").path("sha256").asText());
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("manifest.json").toFile(), manifest);
            } else if (method.id().equals("head")) {
                SliceDiff.of(List.<SliceLinear>of(), head, manifest).write(out);
            } else {
                FullCheckpoint.write(model, spec.model(), out);
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("manifest.json").toFile(), manifest);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result to " + out, e);
        }
    }
}
