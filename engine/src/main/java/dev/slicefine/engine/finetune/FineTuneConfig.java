package dev.slicefine.engine.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.peft.TargetPatterns;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceMode;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A fine-tuning config as JSON (snake_case: {@code task}, {@code method}, {@code validation_split}, {@code slicefine.*},
 * {@code lora.*}, {@code train.*}; absent = the engine's default) read into the engine's records: the one definition
 * the API (POST /v1/jobs), the worker (the stored {@code jobs.config}) and the CLI ({@code ./slicefine train}, whose
 * options map onto the same paths) all use. Reading reports every bad field with its path and a stable code.
 * {@code checkpointMinutesSet}: whether {@code train.checkpoint_minutes} was given (else the runner's default applies).
 */
public record FineTuneConfig(Task task, String method, double validationSplit, SliceConfig slicefine, LoraConfig lora,
                             TrainConfig train, boolean checkpointMinutesSet) {
    public static final List<String> METHODS = List.of("slicefine", "lora", "full", "head");
    private static final Set<String> TOP = Set.of("task", "method", "validation_split", "slicefine", "lora", "train");
    static final Set<String> SLICE = Set.of("rank", "modes", "move_steps", "position", "max_position",
            "learning_rate_decay", "min_learning_rate", "tolerance", "rank_decay", "min_rank", "bias", "targets");
    static final Set<String> LORA = Set.of("r", "alpha", "dropout", "targets");
    static final Set<String> TRAIN = Set.of("optimizer", "learning_rate", "weight_decay", "lr_schedule",
            "warmup_steps", "epochs", "max_steps", "batch_size", "max_seq_len", "grad_clip", "eval_every", "early_stopping",
            "checkpoint_every", "checkpoint_minutes", "log_every", "seed");
    private static final ObjectMapper JSON = new ObjectMapper();

    public FineTuneConfig {
        ConfigErrors e = new ConfigErrors();
        checkRun(method, validationSplit, e);
        e.throwIfAny();
    }

    /** The rules of the top-level fields that are not a record of their own (also FineTuneSpec's). */
    static void checkRun(String method, double validationSplit, ConfigErrors e) {
        if (!METHODS.contains(method)) {
            e.add("method", ConfigError.UNKNOWN_VALUE, unknownValue(method, METHODS));
        }
        e.within("validation_split", validationSplit, 0, false, 0.9, false);
    }

    /** Parses a JSON document; {@code extraFields}: top-level fields the caller reads itself (the service's webhook_url). */
    public static FineTuneConfig parse(String json, Set<String> extraFields) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(List.of(new ConfigError("", ConfigError.WRONG_TYPE, "not valid JSON: "
                    + e.getOriginalMessage())));
        }
        return read(node, extraFields);
    }

    /** Reads a JSON object; throws {@link InvalidConfigException} listing every bad field. */
    public static FineTuneConfig read(JsonNode c, Set<String> extraFields) {
        return new Reader().read(c, extraFields);
    }

    /** This config with the runner's default checkpoint interval, unless the config set its own. */
    public FineTuneConfig withDefaultCheckpointMinutes(double minutes) {
        return checkpointMinutesSet ? this
                : new FineTuneConfig(task, method, validationSplit, slicefine, lora, train.withCheckpointMinutes(minutes), false);
    }

    /** The engine run for this config; {@code validation} (may be null) wins over {@code validation_split}. */
    public FineTuneSpec toSpec(Path model, Path dataset, Path validation, Path out, Path checkpointDir) {
        return new FineTuneSpec(model, dataset, validation, validation != null ? 0.0 : validationSplit, null, method,
                slicefine, lora, train, out, checkpointDir, 0);
    }

    /** The complete config, every default written out (checkpoint_minutes only when it was given). */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("task", task.id());
        n.put("method", method);
        n.put("validation_split", validationSplit);
        ObjectNode s = n.putObject("slicefine");
        s.put("rank", slicefine.rank());
        ArrayNode modes = s.putArray("modes");
        slicefine.modes().forEach(m -> modes.add(m.id()));
        s.put("move_steps", slicefine.moveSteps());
        s.put("position", slicefine.position());
        s.put("max_position", slicefine.maxPosition());
        s.put("learning_rate_decay", slicefine.learningRateDecay());
        s.put("min_learning_rate", slicefine.minLearningRate());
        s.put("tolerance", slicefine.tolerance());
        s.put("rank_decay", slicefine.rankDecay());
        s.put("min_rank", slicefine.minRank());
        s.put("bias", slicefine.bias());
        slicefine.targets().forEach(s.putArray("targets")::add);
        ObjectNode l = n.putObject("lora");
        l.put("r", lora.r());
        l.put("alpha", lora.alpha());
        l.put("dropout", lora.dropout());
        lora.targets().forEach(l.putArray("targets")::add);
        ObjectNode t = n.putObject("train");
        t.put("optimizer", train.optimizer());
        t.put("learning_rate", train.learningRate());
        t.put("weight_decay", train.weightDecay());
        t.put("lr_schedule", train.lrSchedule().name().toLowerCase(Locale.ROOT));
        t.put("warmup_steps", train.warmupSteps());
        t.put("epochs", train.epochs());
        t.put("max_steps", train.maxSteps());
        t.put("batch_size", train.batchSize());
        t.put("max_seq_len", train.maxSeqLen());
        t.put("grad_clip", train.gradClip());
        t.put("eval_every", train.evalEvery());
        t.put("early_stopping", train.earlyStoppingPatience());
        t.put("checkpoint_every", train.checkpointEvery());
        if (checkpointMinutesSet) {
            t.put("checkpoint_minutes", train.checkpointMinutes());
        }
        t.put("log_every", train.logEvery());
        t.put("seed", train.seed());
        return n;
    }

    // ---------------------------------------------------------------- against the model

    /**
     * The fit with a model folder (config.json and the safetensors headers only, no weights read): the task against the
     * family, the targets against the model's Linear layers, the rank against each target's extent.
     */
    public List<ConfigError> checkAgainstModel(Path modelDir) {
        ConfigErrors e = new ConfigErrors();
        ModelConfig config;
        Map<String, long[]> linears;
        try {
            config = ModelConfigs.read(modelDir);
            linears = linearLayers(config, modelDir);
        } catch (RuntimeException ex) {
            e.add("model", ConfigError.MODEL_UNREADABLE, String.valueOf(ex.getMessage()));
            return e.list();
        }
        ConfigError fit = task.fitError(config.family());
        if (fit != null) {
            e.add(fit);
        }
        if (method.equals("slicefine")) {
            List<String> selected = select(config, linears, slicefine.targets(), "slicefine.targets", e);
            outer:
            for (String name : selected) {
                long[] shape = linears.get(name);
                for (SliceMode mode : slicefine.modes()) {
                    long dim = mode == SliceMode.ROW ? shape[0] : shape[1];
                    long extent = SliceConfig.extent(dim, slicefine.maxPosition());
                    if (slicefine.rank() > extent) {
                        e.add("slicefine.rank", ConfigError.RANK_TOO_LARGE, "rank " + slicefine.rank() + " is larger than "
                                + name + "'s " + mode.id() + " extent " + extent);
                        break outer;
                    }
                }
            }
        } else if (method.equals("lora")) {
            select(config, linears, lora.targets(), "lora.targets", e);
        }
        return e.list();
    }

    static List<String> select(ModelConfig config, Map<String, long[]> linears, List<String> targets, String field,
                                       ConfigErrors e) {
        List<String> patterns = targets.isEmpty() ? TargetPatterns.defaults(config.family()) : targets;
        List<String> out = new ArrayList<>();
        for (String pattern : patterns) {
            List<String> hits = linears.keySet().stream().filter(n -> TargetPatterns.matches(pattern, n)).toList();
            if (hits.isEmpty()) {
                e.add(field, ConfigError.NO_MATCHING_LAYER, "target pattern '" + pattern + "' matches no Linear layer of this "
                        + config.family().modelType() + " model (e.g. " + linears.keySet().iterator().next() + ")");
                return List.of();
            }
            hits.stream().filter(h -> !out.contains(h)).forEach(out::add);
        }
        return out;
    }

    /**
     * The model's Linear layers (the classifier head excluded) by Hugging Face module name with their weight shape
     * [out, in]: every 2-D {@code .weight} of the backbone that is not an embedding table, plus the BERT/RoBERTa pooler
     * when the checkpoint has one.
     */
    static Map<String, long[]> linearLayers(ModelConfig config, Path modelDir) {
        String prefix;
        boolean pooler;
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            prefix = CheckpointLayout.of(config, source).prefix();
            pooler = source.contains(prefix + "pooler.dense.weight");
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        config.expectedBackboneTensors(prefix).forEach((name, shape) -> {
            if (shape.length == 2 && name.endsWith(".weight") && !name.contains("embed")) {
                out.put(name.substring(0, name.length() - ".weight".length()), shape);
            }
        });
        if (pooler && (config.family() == ModelFamily.BERT || config.family() == ModelFamily.ROBERTA)) {
            out.put(prefix + "pooler.dense", new long[] {config.hiddenSize(), config.hiddenSize()});
        }
        return out;
    }

    static String unknownValue(String value, List<String> allowed) {
        return ConfigErrors.unknownValue(value, allowed);
    }

    // ---------------------------------------------------------------- JSON -> records

    /** Reads field by field; a field of the wrong type is reported and replaced by its default, so the rest is checked. */
    private static final class Reader {
        private final ConfigErrors e = new ConfigErrors();

        FineTuneConfig read(JsonNode c, Set<String> extra) {
            if (c == null || !c.isObject()) {
                e.add("", ConfigError.WRONG_TYPE, "the job config must be a JSON object");
                e.throwIfAny();
            }
            unknown(c, "", TOP, extra);
            List<String> taskIds = Arrays.stream(Task.values()).map(Task::id).toList();
            String taskId = string(c, "task", "task", null);
            Task task = null;
            if (taskId == null && !e.has("task")) {
                e.add("task", ConfigError.REQUIRED, "is required (one of " + String.join(", ", taskIds) + ")");
            } else if (taskId != null) {
                task = Arrays.stream(Task.values()).filter(t -> t.id().equals(taskId)).findFirst().orElse(null);
                if (task == null) {
                    e.add("task", ConfigError.UNKNOWN_VALUE, unknownValue(taskId, taskIds));
                }
            }
            String method = string(c, "method", "method", "slicefine");
            double split = number(c, "validation_split", "validation_split", 0.0);
            checkRun(method, split, e);

            SliceConfig sd = SliceConfig.defaults();
            JsonNode s = section(c, "slicefine", SLICE);
            int rank = integer(s, "rank", "slicefine.rank", sd.rank());
            List<SliceMode> modes = new ArrayList<>();
            for (String m : strings(s, "modes", "slicefine.modes", sd.modes().stream().map(SliceMode::id).toList())) {
                if (!m.equals("row") && !m.equals("column")) {
                    e.add("slicefine.modes", ConfigError.UNKNOWN_VALUE, unknownValue(m, List.of("column", "row")));
                    modes = sd.modes();
                    break;
                }
                modes.add(SliceMode.parse(m));
            }
            List<SliceMode> sliceModes = List.copyOf(modes);
            SliceConfig slice = build(() -> new SliceConfig(rank, sliceModes, integer(s, "move_steps", "slicefine.move_steps", sd.moveSteps()),
                    integer(s, "position", "slicefine.position", sd.position()),
                    integer(s, "max_position", "slicefine.max_position", sd.maxPosition()),
                    number(s, "learning_rate_decay", "slicefine.learning_rate_decay", sd.learningRateDecay()),
                    number(s, "min_learning_rate", "slicefine.min_learning_rate", sd.minLearningRate()),
                    integer(s, "tolerance", "slicefine.tolerance", sd.tolerance()),
                    number(s, "rank_decay", "slicefine.rank_decay", sd.rankDecay()),
                    integer(s, "min_rank", "slicefine.min_rank", sd.minRank()),
                    bool(s, "bias", "slicefine.bias", sd.bias()),
                    strings(s, "targets", "slicefine.targets", sd.targets())));

            LoraConfig ld = LoraConfig.defaults();
            JsonNode l = section(c, "lora", LORA);
            int r = integer(l, "r", "lora.r", ld.r());
            LoraConfig lora = build(() -> new LoraConfig(r, number(l, "alpha", "lora.alpha", 2.0 * r),
                    number(l, "dropout", "lora.dropout", ld.dropout()), strings(l, "targets", "lora.targets", ld.targets())));

            Task forTrain = task == null ? Task.TEXT_CLASSIFICATION : task;
            TrainConfig td = TrainConfig.defaults(forTrain);
            JsonNode t = section(c, "train", TRAIN);
            String scheduleId = string(t, "lr_schedule", "train.lr_schedule", td.lrSchedule().name().toLowerCase(Locale.ROOT));
            LrSchedule.Kind schedule = td.lrSchedule();
            List<String> schedules = Arrays.stream(LrSchedule.Kind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList();
            if (schedules.contains(scheduleId)) {
                schedule = LrSchedule.Kind.parse(scheduleId);
            } else {
                e.add("train.lr_schedule", ConfigError.UNKNOWN_VALUE, unknownValue(scheduleId, schedules));
            }
            LrSchedule.Kind kind = schedule;
            boolean minutesSet = t != null && t.hasNonNull("checkpoint_minutes");
            TrainConfig train = build(() -> new TrainConfig(forTrain, string(t, "optimizer", "train.optimizer", td.optimizer()),
                    number(t, "learning_rate", "train.learning_rate", TrainConfig.defaultLearningRate(method)),
                    number(t, "weight_decay", "train.weight_decay", td.weightDecay()), td.beta1(), td.beta2(), td.eps(), kind,
                    integer(t, "warmup_steps", "train.warmup_steps", td.warmupSteps()),
                    integer(t, "epochs", "train.epochs", td.epochs()),
                    integer(t, "max_steps", "train.max_steps", td.maxSteps()),
                    integer(t, "batch_size", "train.batch_size", td.batchSize()),
                    integer(t, "max_seq_len", "train.max_seq_len", td.maxSeqLen()),
                    number(t, "grad_clip", "train.grad_clip", td.gradClip()),
                    integer(t, "eval_every", "train.eval_every", td.evalEvery()),
                    integer(t, "early_stopping", "train.early_stopping", td.earlyStoppingPatience()),
                    integer(t, "checkpoint_every", "train.checkpoint_every", td.checkpointEvery()),
                    number(t, "checkpoint_minutes", "train.checkpoint_minutes", td.checkpointMinutes()),
                    integer(t, "log_every", "train.log_every", td.logEvery()),
                    longValue(t, "seed", "train.seed", td.seed())));
            e.throwIfAny();
            return new FineTuneConfig(task, method, split, slice, lora, train, minutesSet);
        }

        private <T> T build(java.util.function.Supplier<T> record) {
            try {
                return record.get();
            } catch (InvalidConfigException ex) {
                e.addAll(ex.errors());
                return null;
            }
        }

        private void unknown(JsonNode o, String prefix, Set<String> known, Set<String> extra) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!known.contains(name) && !extra.contains(name)) {
                    e.add(prefix + name, ConfigError.UNKNOWN_FIELD, "unknown field (known: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        private JsonNode section(JsonNode c, String name, Set<String> known) {
            JsonNode v = c.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isObject()) {
                e.add(name, ConfigError.WRONG_TYPE, "must be an object");
                return null;
            }
            unknown(v, name + ".", known, Set.of());
            return v;
        }

        private JsonNode value(JsonNode o, String name) {
            JsonNode v = o == null ? null : o.get(name);
            return v == null || v.isNull() ? null : v;
        }

        private String string(JsonNode o, String name, String path, String fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            if (!v.isTextual()) {
                e.add(path, ConfigError.WRONG_TYPE, "must be a string");
                return fallback;
            }
            return v.asText();
        }

        private int integer(JsonNode o, String name, String path, int fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            if (!v.isIntegralNumber()) {
                e.add(path, ConfigError.WRONG_TYPE, "must be an integer");
                return fallback;
            }
            if (!v.canConvertToInt()) {
                e.add(path, ConfigError.OUT_OF_RANGE, "must be between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE
                        + ", got " + v.asText());
                return fallback;
            }
            return v.intValue();
        }

        private long longValue(JsonNode o, String name, String path, long fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                e.add(path, ConfigError.WRONG_TYPE, "must be an integer");
                return fallback;
            }
            return v.longValue();
        }

        private double number(JsonNode o, String name, String path, double fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            if (!v.isNumber()) {
                e.add(path, ConfigError.WRONG_TYPE, "must be a number");
                return fallback;
            }
            return v.doubleValue();
        }

        private boolean bool(JsonNode o, String name, String path, boolean fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            if (!v.isBoolean()) {
                e.add(path, ConfigError.WRONG_TYPE, "must be true or false");
                return fallback;
            }
            return v.booleanValue();
        }

        private List<String> strings(JsonNode o, String name, String path, List<String> fallback) {
            JsonNode v = value(o, name);
            if (v == null) {
                return fallback;
            }
            List<String> out = new ArrayList<>();
            if (v.isArray()) {
                for (JsonNode x : v) {
                    if (!x.isTextual() || x.asText().isBlank()) {
                        out = null;
                        break;
                    }
                    out.add(x.asText());
                }
            }
            if (!v.isArray() || out == null) {
                e.add(path, ConfigError.WRONG_TYPE, "must be an array of non-empty strings");
                return fallback;
            }
            return out;
        }
    }
}
