package dev.slicefine.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceMode;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code slicefine train}: every knob of the method and the trainer, one JSON line of metrics per log step. */
final class TrainCommand {
    static final Set<String> OPTIONS = Set.of("model", "task", "dataset", "validation", "validation-split", "batches", "out",
            "method", "rank", "modes", "move-steps", "position", "max-position", "learning-rate-decay", "min-learning-rate",
            "tolerance", "rank-decay", "min-rank", "targets", "lora-r", "lora-alpha", "lora-dropout", "epochs", "max-steps",
            "batch-size", "max-seq-len", "optimizer", "lr", "lr-schedule", "warmup-steps", "weight-decay", "grad-clip",
            "eval-every", "early-stopping", "checkpoint-every", "checkpoint-dir", "seed", "log-every", "limit",
            "text-field", "label-field", "text-pair-field", "prompt-field", "completion-field");
    static final Set<String> FLAGS = Set.of("bias");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainCommand() {}

    static FineTuneSpec spec(Args a) {
        Task task = Task.parse(a.require("task"));
        String method = a.get("method", "slicefine");
        SliceConfig d = SliceConfig.defaults();
        List<String> targets = a.has("targets") ? Arrays.stream(a.require("targets").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList() : List.of();
        List<SliceMode> modes = a.has("modes") ? Arrays.stream(a.require("modes").split(",")).map(String::trim).map(SliceMode::parse).toList() : d.modes();
        int rank = a.intValue("rank", d.rank());
        SliceConfig slice = new SliceConfig(rank, modes, a.intValue("move-steps", d.moveSteps()),
                a.intValue("position", d.position()), a.intValue("max-position", d.maxPosition()),
                a.doubleValue("learning-rate-decay", d.learningRateDecay()), a.doubleValue("min-learning-rate", d.minLearningRate()),
                a.intValue("tolerance", d.tolerance()), a.doubleValue("rank-decay", d.rankDecay()),
                a.intValue("min-rank", Math.min(d.minRank(), rank)), a.flag("bias"), targets);
        LoraConfig ld = LoraConfig.defaults();
        int loraR = a.intValue("lora-r", ld.r());
        LoraConfig lora = new LoraConfig(loraR, a.doubleValue("lora-alpha", 2.0 * loraR), a.doubleValue("lora-dropout", ld.dropout()), targets);
        TrainConfig t = TrainConfig.defaults(task);
        double defaultLr = method.equals("slicefine") ? t.learningRate() : method.equals("lora") ? 5e-4 : method.equals("full") ? 5e-5 : 1e-3;
        TrainConfig train = new TrainConfig(task, a.get("optimizer", t.optimizer()), a.doubleValue("lr", defaultLr),
                a.doubleValue("weight-decay", t.weightDecay()), t.beta1(), t.beta2(), t.eps(),
                LrSchedule.Kind.parse(a.get("lr-schedule", t.lrSchedule().name())), a.intValue("warmup-steps", t.warmupSteps()),
                a.intValue("epochs", t.epochs()), a.intValue("max-steps", t.maxSteps()), a.intValue("batch-size", t.batchSize()),
                a.intValue("max-seq-len", t.maxSeqLen()), a.doubleValue("grad-clip", t.gradClip()), a.intValue("eval-every", t.evalEvery()),
                a.intValue("early-stopping", t.earlyStoppingPatience()), a.intValue("checkpoint-every", t.checkpointEvery()),
                a.intValue("log-every", t.logEvery()), a.intValue("seed", (int) t.seed()));
        Path dataset = a.has("dataset") ? a.path("dataset") : null;
        Path batches = a.has("batches") ? a.path("batches") : null;
        if (dataset == null && batches == null) {
            throw new Args.UsageException("train: --dataset (or --batches for a pre-tokenized replay) is required");
        }
        Path out = a.path("out");
        Path ckpt = a.has("checkpoint-dir") ? a.path("checkpoint-dir") : (train.checkpointEvery() > 0 ? out.resolve("checkpoints") : null);
        return new FineTuneSpec(a.path("model"), dataset, a.has("validation") ? a.path("validation") : null,
                a.doubleValue("validation-split", 0), batches, method, slice, lora, train, out, ckpt, a.intValue("limit", 0),
                fields(a), null);
    }

    /** --text-field, --label-field, --text-pair-field, --prompt-field, --completion-field (default: the usual names). */
    private static DatasetFields fields(Args a) {
        try {
            return new DatasetFields(a.get("text-field", null), a.get("label-field", null), a.get("text-pair-field", null),
                    a.get("prompt-field", null), a.get("completion-field", null));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("train: " + e.getMessage().replace("_field", "-field").replace("text_pair", "text-pair"));
        }
    }

    static int run(Args args, PrintStream out) throws Exception {
        FineTuneSpec spec = spec(args);
        TrainListener listener = new TrainListener() {
            @Override
            public void onStep(StepMetrics m) {
                ObjectNode n = JSON.createObjectNode();
                n.put("step", m.step());
                n.put("total_steps", m.totalSteps());
                n.put("epoch", m.epoch());
                n.put("loss", m.loss());
                n.put("lr", m.lr());
                n.put("grad_norm", m.gradNorm());
                n.put("tokens_per_s", Math.round(m.tokensPerSecond()));
                n.put("elapsed_s", Math.round(m.elapsedSeconds() * 10) / 10.0);
                out.println(n);
            }

            @Override
            public void onEvent(String kind, String message) {
                ObjectNode n = JSON.createObjectNode();
                n.put("event", kind);
                n.put("message", message);
                out.println(n);
            }

            @Override
            public void onEvaluation(int step, Map<String, Double> metrics) {
                ObjectNode n = JSON.createObjectNode();
                n.put("step", step);
                metrics.forEach(n::put);
                out.println(JSON.createObjectNode().set("eval", n));
            }
        };
        FineTune.Outcome o = FineTune.run(spec, listener);
        ObjectNode done = JSON.createObjectNode();
        done.put("done", true);
        done.put("artifact", String.valueOf(o.artifact()));
        if (o.manifest() != null) {
            done.set("metrics", o.manifest().get("metrics"));
        }
        out.println(done);
        return 0;
    }
}
