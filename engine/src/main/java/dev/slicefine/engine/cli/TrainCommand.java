package dev.slicefine.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.ComputeDevice;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code slicefine train}: every knob of the method and the trainer. The options are the job config's JSON paths
 * ({@code --rank} is {@code slicefine.rank}, {@code --lr} is {@code train.learning_rate}) and go through the same
 * {@link FineTuneConfig} rules as a job posted to the API, so a mistake gets the same answer at both doors. Prints
 * every training event as one JSON line.
 */
final class TrainCommand {
    /** Option -> JSON path of the job config (targets go to the chosen method's section). */
    static final Map<String, String> PATHS = paths();
    private static final Set<String> LISTS = Set.of("modes", "targets");
    static final Set<String> OPTIONS = options();
    static final Set<String> FLAGS = Set.of("bias");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern NUMBER = Pattern.compile("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainCommand() {}

    private static Map<String, String> paths() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("task", "task");
        p.put("method", "method");
        p.put("validation-split", "validation_split");
        for (String o : List.of("rank", "modes", "move-steps", "position", "max-position", "learning-rate-decay",
                "min-learning-rate", "tolerance", "rank-decay", "min-rank")) {
            p.put(o, "slicefine." + o.replace('-', '_'));
        }
        p.put("lora-r", "lora.r");
        p.put("lora-alpha", "lora.alpha");
        p.put("lora-dropout", "lora.dropout");
        p.put("lr", "train.learning_rate");
        for (String o : List.of("optimizer", "lr-schedule", "warmup-steps", "weight-decay", "epochs", "max-steps", "batch-size",
                "max-seq-len", "grad-clip", "eval-every", "early-stopping", "checkpoint-every", "checkpoint-minutes", "seed",
                "log-every")) {
            p.put(o, "train." + o.replace('-', '_'));
        }
        return p;
    }

    private static Set<String> options() {
        Set<String> o = new java.util.HashSet<>(PATHS.keySet());
        o.addAll(List.of("model", "dataset", "validation", "batches", "out", "targets", "checkpoint-dir", "limit",
                "text-field", "label-field", "text-pair-field", "prompt-field", "completion-field", "device"));
        return Set.copyOf(o);
    }

    /** The job config the options spell, as JSON: numbers stay numbers, anything else stays the text given. */
    static ObjectNode config(Args a) {
        ObjectNode c = JSON.createObjectNode();
        PATHS.forEach((option, path) -> {
            if (a.has(option)) {
                put(c, path, a.require(option), LISTS.contains(option));
            }
        });
        if (a.flag("bias")) {
            section(c, "slicefine.bias").put("bias", true);
        }
        if (a.has("targets")) {
            put(c, (a.get("method", "slicefine").equals("lora") ? "lora" : "slicefine") + ".targets", a.require("targets"), true);
        }
        return c;
    }

    private static void put(ObjectNode c, String path, String value, boolean list) {
        ObjectNode parent = section(c, path);
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (list) {
            ArrayNode items = parent.putArray(name);
            Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        } else if (INTEGER.matcher(value).matches()) {
            parent.set(name, JSON.getNodeFactory().numberNode(new java.math.BigInteger(value)));
        } else if (NUMBER.matcher(value).matches()) {
            parent.put(name, Double.parseDouble(value));
        } else {
            parent.put(name, value);
        }
    }

    private static ObjectNode section(ObjectNode c, String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? c : c.with(path.substring(0, dot));
    }

    static FineTuneSpec spec(Args a) {
        Path model = a.path("model");
        FineTuneConfig config = FineTuneConfig.read(config(a), Set.of());
        List<ConfigError> fit = config.checkAgainstModel(model).stream()
                .filter(e -> !e.code().equals(ConfigError.MODEL_UNREADABLE)).toList();
        if (!fit.isEmpty()) {
            throw new InvalidConfigException(fit);
        }
        Path dataset = a.has("dataset") ? a.path("dataset") : null;
        Path batches = a.has("batches") ? a.path("batches") : null;
        if (dataset == null && batches == null) {
            throw new Args.UsageException("train: --dataset (or --batches for a pre-tokenized replay) is required");
        }
        Path out = a.path("out");
        boolean checkpoints = config.train().checkpointEvery() > 0 || config.train().checkpointMinutes() > 0;
        Path ckpt = a.has("checkpoint-dir") ? a.path("checkpoint-dir") : (checkpoints ? out.resolve("checkpoints") : null);
        return new FineTuneSpec(model, dataset, a.has("validation") ? a.path("validation") : null, config.validationSplit(),
                batches, config.method(), config.slicefine(), config.lora(), config.train(), out, ckpt, a.intValue("limit", 0),
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

    /** --device auto|cpu|cuda:N (default auto), resolved on this machine: a GPU it does not have fails here. */
    static ComputeDevice device(Args a) {
        ComputeDevice d;
        try {
            d = ComputeDevice.parse(a.get("device", "auto"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("train: --device: " + e.getMessage());
        }
        return d.resolve();
    }

    static int run(Args args, PrintStream out) throws Exception {
        FineTuneSpec spec = spec(args);
        ComputeDevice device = device(args);
        TrainListener listener = new TrainListener() {
            @Override
            public void onEvent(TrainEvent event) {
                ObjectNode n = JSON.createObjectNode();
                n.put("type", event.type());
                n.setAll(event.data());
                out.println(n);
            }
        };
        FineTune.Outcome o = FineTune.run(spec, listener, device);
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
