package dev.slicefine.worker.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
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
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code jobs.config} jsonb column: written by the api, read by the worker (snake_case JSON). Absent fields take
 * the engine's defaults ({@link SliceConfig#defaults()}, {@link LoraConfig#defaults()}, {@link TrainConfig#defaults}),
 * so a parsed config is always complete. {@link #validate} checks every field (and, given the model folder, the fit
 * with the model) and returns one error per bad field; {@link #toSpec} is only called on a config that validated.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record JobConfig(
        @JsonProperty("task") String task,
        @JsonProperty("method") String method,
        @JsonProperty("validation_split") Double validationSplit,
        @JsonProperty("slicefine") Slice slicefine,
        @JsonProperty("lora") Lora lora,
        @JsonProperty("train") Train train,
        @JsonProperty("webhook_url") String webhookUrl) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final List<String> METHODS = List.of("slicefine", "lora", "full", "head");

    public JobConfig {
        method = method == null ? "slicefine" : method;
        validationSplit = validationSplit == null ? 0.0 : validationSplit;
        slicefine = (slicefine == null ? Slice.EMPTY : slicefine).withDefaults();
        lora = (lora == null ? Lora.EMPTY : lora).withDefaults();
        Task t = taskOrNull(task);
        train = (train == null ? Train.EMPTY : train).withDefaults(TrainConfig.defaults(t == null ? Task.TEXT_CLASSIFICATION : t));
    }

    /** Parses the stored or requested JSON; a malformed document or unknown field is a {@link JobConfigException}. */
    public static JobConfig parse(String json) {
        try {
            JobConfig c = JSON.readValue(json, JobConfig.class);
            if (c == null) {
                throw new JobConfigException(new FieldError("", "the job config must be a JSON object"));
            }
            return c;
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw new JobConfigException(new FieldError(path, e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new JobConfigException(new FieldError("", "not valid JSON: " + e.getOriginalMessage()));
        }
    }

    /** The complete config (every default written out), as stored in {@code jobs.config}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Task taskValue() {
        return Task.parse(task);
    }

    // ---------------------------------------------------------------- engine records

    public SliceConfig sliceConfig() {
        Slice s = slicefine;
        return new SliceConfig(s.rank, s.modes.stream().map(SliceMode::parse).toList(), s.moveSteps, s.position, s.maxPosition,
                s.learningRateDecay, s.minLearningRate, s.tolerance, s.rankDecay, s.minRank, s.bias, s.targets);
    }

    public LoraConfig loraConfig() {
        return new LoraConfig(lora.r, lora.alpha, lora.dropout, lora.targets);
    }

    public TrainConfig trainConfig() {
        Train t = train;
        TrainConfig d = TrainConfig.defaults(taskValue());
        return new TrainConfig(taskValue(), t.optimizer, t.learningRate, t.weightDecay, d.beta1(), d.beta2(), d.eps(),
                LrSchedule.Kind.parse(t.lrSchedule), t.warmupSteps, t.epochs, t.maxSteps, t.batchSize, t.maxSeqLen, t.gradClip,
                t.evalEvery, t.earlyStopping, t.checkpointEvery, t.logEvery, t.seed);
    }

    /** The engine run for this config; {@code validation} (may be null) wins over {@code validation_split}. */
    public FineTuneSpec toSpec(Path model, Path dataset, Path validation, Path out, Path checkpointDir) {
        return new FineTuneSpec(model, dataset, validation, validation != null ? 0.0 : validationSplit, null, method,
                sliceConfig(), loraConfig(), trainConfig(), out, checkpointDir, 0);
    }

    // ---------------------------------------------------------------- validation

    /** Every problem, one per field, without the model (shapes, targets and task fit are not checked). */
    public List<FieldError> validate() {
        return validate(null);
    }

    /**
     * Every problem, one per field. With {@code modelDir}, also checks the task against the model family and the
     * targets and rank against the Linear layers the model's config.json implies (no weights are read).
     */
    public List<FieldError> validate(Path modelDir) {
        Errors errors = new Errors();
        Task t = null;
        if (task == null) {
            errors.add("task", "task is required (text-classification, causal-lm or image-classification)");
        } else {
            t = errors.check("task", () -> Task.parse(task));
        }
        if (!METHODS.contains(method)) {
            errors.add("method", "method must be slicefine, lora, full or head, got '" + method + "'");
        }
        if (validationSplit < 0 || validationSplit >= 1) {
            errors.add("validation_split", "validation_split must be in [0, 1), got " + validationSplit);
        }
        slicefine.validate(errors);
        lora.validate(errors);
        train.validate(errors);
        if (webhookUrl != null) {
            try {
                URI u = URI.create(webhookUrl);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    errors.add("webhook_url", "webhook_url must be an absolute http(s) URL, got '" + webhookUrl + "'");
                }
            } catch (IllegalArgumentException e) {
                errors.add("webhook_url", "webhook_url is not a URL: " + e.getMessage());
            }
        }
        if (modelDir != null) {
            ModelConfig config = errors.check("model", () -> ModelConfigs.read(modelDir));
            if (config != null) {
                if (t != null) {
                    Task task0 = t;
                    errors.check("task", () -> FineTune.checkTask(config, task0));
                }
                checkAgainstModel(config, modelDir, errors);
            }
        }
        return errors.list();
    }

    private void checkAgainstModel(ModelConfig config, Path modelDir, Errors errors) {
        Map<String, long[]> linears = errors.check("model", () -> linearLayers(config, modelDir));
        if (linears == null) {
            return;
        }
        if ("slicefine".equals(method)) {
            List<String> selected = select(config, linears, slicefine.targets, "slicefine.targets", errors);
            if (selected != null && !errors.has("slicefine.rank") && !errors.has("slicefine.modes")
                    && !errors.has("slicefine.max_position")) {
                outer:
                for (String name : selected) {
                    long[] shape = linears.get(name);
                    for (String modeId : slicefine.modes) {
                        SliceMode mode = SliceMode.parse(modeId);
                        long dim = mode == SliceMode.ROW ? shape[0] : shape[1];
                        long extent = slicefine.maxPosition > 0 ? Math.min(dim, slicefine.maxPosition) : dim;
                        if (slicefine.rank > extent) {
                            errors.add("slicefine.rank", "rank " + slicefine.rank + " is larger than " + name + "'s "
                                    + mode.id() + " extent " + extent);
                            break outer;
                        }
                    }
                }
            }
        } else if ("lora".equals(method)) {
            select(config, linears, lora.targets, "lora.targets", errors);
        }
    }

    private static List<String> select(ModelConfig config, Map<String, long[]> linears, List<String> targets, String field,
                                       Errors errors) {
        List<String> patterns = targets.isEmpty() ? TargetPatterns.defaults(config.family()) : targets;
        List<String> out = new ArrayList<>();
        for (String pattern : patterns) {
            List<String> hits = linears.keySet().stream().filter(n -> TargetPatterns.matches(pattern, n)).toList();
            if (hits.isEmpty()) {
                errors.add(field, "target pattern '" + pattern + "' matches no Linear layer of this "
                        + config.family().modelType() + " model (e.g. " + linears.keySet().iterator().next() + ")");
                return null;
            }
            hits.stream().filter(h -> !out.contains(h)).forEach(out::add);
        }
        return out;
    }

    /**
     * The model's Linear layers (the classifier head excluded) by Hugging Face module name with their weight shape
     * [out, in], from config.json and the safetensors headers only (no weights are read): every 2-D {@code .weight}
     * of the backbone that is not an embedding table, plus the BERT/RoBERTa pooler when the checkpoint has one.
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

    private static Task taskOrNull(String task) {
        try {
            return task == null ? null : Task.parse(task);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- sections

    /** SliceFine's knobs ({@link SliceConfig}). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Slice(
            @JsonProperty("rank") Integer rank,
            @JsonProperty("modes") List<String> modes,
            @JsonProperty("move_steps") Integer moveSteps,
            @JsonProperty("position") Integer position,
            @JsonProperty("max_position") Integer maxPosition,
            @JsonProperty("learning_rate_decay") Double learningRateDecay,
            @JsonProperty("min_learning_rate") Double minLearningRate,
            @JsonProperty("tolerance") Integer tolerance,
            @JsonProperty("rank_decay") Double rankDecay,
            @JsonProperty("min_rank") Integer minRank,
            @JsonProperty("bias") Boolean bias,
            @JsonProperty("targets") List<String> targets) {
        static final Slice EMPTY = new Slice(null, null, null, null, null, null, null, null, null, null, null, null);

        Slice withDefaults() {
            SliceConfig d = SliceConfig.defaults();
            return new Slice(or(rank, d.rank()), or(modes, d.modes().stream().map(SliceMode::id).toList()),
                    or(moveSteps, d.moveSteps()), or(position, d.position()), or(maxPosition, d.maxPosition()),
                    or(learningRateDecay, d.learningRateDecay()), or(minLearningRate, d.minLearningRate()),
                    or(tolerance, d.tolerance()), or(rankDecay, d.rankDecay()), or(minRank, d.minRank()), or(bias, d.bias()),
                    or(targets, d.targets()));
        }

        void validate(Errors e) {
            if (rank < 1) e.add("slicefine.rank", "rank must be at least 1, got " + rank);
            List<SliceMode> parsed = new ArrayList<>();
            for (String m : modes) {
                SliceMode p = e.check("slicefine.modes", () -> SliceMode.parse(m));
                if (p == null) break;
                parsed.add(p);
            }
            if (!e.has("slicefine.modes") && (parsed.isEmpty() || parsed.size() > 2
                    || (parsed.size() == 2 && parsed.get(0) == parsed.get(1)))) {
                e.add("slicefine.modes", "modes must be [row], [column], [row, column] or [column, row], got " + modes);
            }
            if (moveSteps < 1) e.add("slicefine.move_steps", "move_steps must be at least 1, got " + moveSteps);
            if (position < 0) e.add("slicefine.position", "position must be >= 0, got " + position);
            if (maxPosition < 0) e.add("slicefine.max_position", "max_position must be >= 0 (0 = the layer's size), got " + maxPosition);
            if (learningRateDecay <= 0 || learningRateDecay > 1) {
                e.add("slicefine.learning_rate_decay", "learning_rate_decay must be in (0, 1], got " + learningRateDecay);
            }
            if (minLearningRate < 0) e.add("slicefine.min_learning_rate", "min_learning_rate must be >= 0, got " + minLearningRate);
            if (tolerance < 0) e.add("slicefine.tolerance", "tolerance must be >= 0 (0 = off), got " + tolerance);
            if (rankDecay <= 0 || rankDecay > 1) e.add("slicefine.rank_decay", "rank_decay must be in (0, 1], got " + rankDecay);
            if (minRank < 1 || minRank > Math.max(rank, 1)) e.add("slicefine.min_rank", "min_rank must be in [1, rank], got " + minRank);
            if (targets.stream().anyMatch(x -> x == null || x.isBlank())) e.add("slicefine.targets", "targets must not contain empty patterns");
        }
    }

    /** The LoRA baseline's knobs ({@link LoraConfig}). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Lora(
            @JsonProperty("r") Integer r,
            @JsonProperty("alpha") Double alpha,
            @JsonProperty("dropout") Double dropout,
            @JsonProperty("targets") List<String> targets) {
        static final Lora EMPTY = new Lora(null, null, null, null);

        Lora withDefaults() {
            LoraConfig d = LoraConfig.defaults();
            return new Lora(or(r, d.r()), or(alpha, d.alpha()), or(dropout, d.dropout()), or(targets, d.targets()));
        }

        void validate(Errors e) {
            if (r < 1) e.add("lora.r", "LoRA r must be at least 1, got " + r);
            if (!(alpha > 0)) e.add("lora.alpha", "alpha must be > 0, got " + alpha);
            if (dropout < 0 || dropout >= 1) e.add("lora.dropout", "dropout must be in [0, 1), got " + dropout);
            if (targets.stream().anyMatch(x -> x == null || x.isBlank())) e.add("lora.targets", "targets must not contain empty patterns");
        }
    }

    /** The trainer's knobs ({@link TrainConfig}; beta1/beta2/eps keep the engine's defaults). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Train(
            @JsonProperty("optimizer") String optimizer,
            @JsonProperty("learning_rate") Double learningRate,
            @JsonProperty("weight_decay") Double weightDecay,
            @JsonProperty("lr_schedule") String lrSchedule,
            @JsonProperty("warmup_steps") Integer warmupSteps,
            @JsonProperty("epochs") Integer epochs,
            @JsonProperty("max_steps") Integer maxSteps,
            @JsonProperty("batch_size") Integer batchSize,
            @JsonProperty("max_seq_len") Integer maxSeqLen,
            @JsonProperty("grad_clip") Double gradClip,
            @JsonProperty("eval_every") Integer evalEvery,
            @JsonProperty("early_stopping") Integer earlyStopping,
            @JsonProperty("checkpoint_every") Integer checkpointEvery,
            @JsonProperty("log_every") Integer logEvery,
            @JsonProperty("seed") Long seed) {
        static final Train EMPTY = new Train(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        Train withDefaults(TrainConfig d) {
            return new Train(or(optimizer, d.optimizer()), or(learningRate, d.learningRate()), or(weightDecay, d.weightDecay()),
                    or(lrSchedule, d.lrSchedule().name().toLowerCase(Locale.ROOT)), or(warmupSteps, d.warmupSteps()),
                    or(epochs, d.epochs()), or(maxSteps, d.maxSteps()), or(batchSize, d.batchSize()), or(maxSeqLen, d.maxSeqLen()),
                    or(gradClip, d.gradClip()), or(evalEvery, d.evalEvery()), or(earlyStopping, d.earlyStoppingPatience()),
                    or(checkpointEvery, d.checkpointEvery()), or(logEvery, d.logEvery()), or(seed, d.seed()));
        }

        void validate(Errors e) {
            if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
                e.add("train.optimizer", "optimizer must be adamw or sgd, got '" + optimizer + "'");
            }
            if (!(learningRate > 0)) e.add("train.learning_rate", "learning_rate must be > 0, got " + learningRate);
            if (weightDecay < 0) e.add("train.weight_decay", "weight_decay must be >= 0, got " + weightDecay);
            e.check("train.lr_schedule", () -> LrSchedule.Kind.parse(lrSchedule));
            if (warmupSteps < 0) e.add("train.warmup_steps", "warmup_steps must be >= 0, got " + warmupSteps);
            if (epochs < 0) e.add("train.epochs", "epochs must be >= 0, got " + epochs);
            if (maxSteps < 0) e.add("train.max_steps", "max_steps must be >= 0 (0 = epochs x steps per epoch), got " + maxSteps);
            if (epochs < 1 && maxSteps < 1 && !e.has("train.epochs") && !e.has("train.max_steps")) {
                e.add("train.epochs", "epochs or max_steps must be at least 1");
            }
            if (batchSize < 1) e.add("train.batch_size", "batch_size must be at least 1, got " + batchSize);
            if (maxSeqLen < 2) e.add("train.max_seq_len", "max_seq_len must be at least 2, got " + maxSeqLen);
            if (gradClip < 0) e.add("train.grad_clip", "grad_clip must be >= 0 (0 = off), got " + gradClip);
            if (evalEvery < 0) e.add("train.eval_every", "eval_every must be >= 0 (0 = off), got " + evalEvery);
            if (earlyStopping < 0) e.add("train.early_stopping", "early_stopping must be >= 0 (0 = off), got " + earlyStopping);
            if (checkpointEvery < 0) e.add("train.checkpoint_every", "checkpoint_every must be >= 0 (0 = off), got " + checkpointEvery);
            if (logEvery < 0) e.add("train.log_every", "log_every must be >= 0, got " + logEvery);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** Collects at most one error per field, in the order found. */
    static final class Errors {
        private final Map<String, String> byField = new LinkedHashMap<>();

        void add(String field, String message) {
            byField.putIfAbsent(field, message);
        }

        boolean has(String field) {
            return byField.containsKey(field);
        }

        <T> T check(String field, java.util.function.Supplier<T> s) {
            try {
                return s.get();
            } catch (RuntimeException ex) {
                add(field, ex.getMessage());
                return null;
            }
        }

        List<FieldError> list() {
            return byField.entrySet().stream().map(en -> new FieldError(en.getKey(), en.getValue())).toList();
        }
    }
}
