package dev.slicefine.engine.finetune;

import java.util.List;

/**
 * Every knob a job config accepts, as people see it: its JSON path, its kind, the values an enumeration takes, the
 * methods it applies to (empty = all) and a one-line explanation. The dashboard and the API's
 * {@code GET /v1/jobs/defaults} read this list; the default values come from {@link FineTuneConfig#toJson()}, so
 * neither is written twice. {@code FineTuneKnobsTest} keeps it equal to the fields {@link FineTuneConfig} reads.
 */
public final class FineTuneKnobs {
    private FineTuneKnobs() {}

    public enum Kind { INT, NUMBER, BOOL, ENUM, LIST }

    public record Knob(String path, Kind kind, String help, List<String> options, List<String> methods) {}

    private static final List<String> SLICE = List.of("slicefine");
    private static final List<String> LORA = List.of("lora");
    private static final List<String> ALL = List.of();

    public static final List<Knob> KNOBS = List.of(
            new Knob("validation_split", Kind.NUMBER, "Fraction of the training rows held out for evaluation (0 = none, or use an eval dataset).", List.of(), ALL),
            new Knob("slicefine.rank", Kind.INT, "Width of the trainable slice (columns or rows) in each target layer.", List.of(), SLICE),
            new Knob("slicefine.modes", Kind.LIST, "Sweep direction: column, row, or row,column to alternate.", List.of(), SLICE),
            new Knob("slicefine.move_steps", Kind.INT, "Steps between slice moves (fold the delta, open the next slice).", List.of(), SLICE),
            new Knob("slicefine.position", Kind.INT, "Position of the first slice.", List.of(), SLICE),
            new Knob("slicefine.max_position", Kind.INT, "Wrap around before this position (0 = the layer dimension).", List.of(), SLICE),
            new Knob("slicefine.learning_rate_decay", Kind.NUMBER, "Multiply the learning rate by this at every move.", List.of(), SLICE),
            new Knob("slicefine.min_learning_rate", Kind.NUMBER, "Floor for the decayed learning rate.", List.of(), SLICE),
            new Knob("slicefine.tolerance", Kind.INT, "Evaluations without improvement before the rank drops (0 = never).", List.of(), SLICE),
            new Knob("slicefine.rank_decay", Kind.NUMBER, "Factor applied to the rank when tolerance runs out.", List.of(), SLICE),
            new Knob("slicefine.min_rank", Kind.INT, "The rank never goes below this.", List.of(), SLICE),
            new Knob("slicefine.bias", Kind.BOOL, "Also train the biases of the target layers.", List.of(), SLICE),
            new Knob("slicefine.targets", Kind.LIST, "Target layer name patterns, comma separated (empty = the family defaults).", List.of(), SLICE),
            new Knob("lora.r", Kind.INT, "LoRA rank.", List.of(), LORA),
            new Knob("lora.alpha", Kind.NUMBER, "LoRA scaling numerator (scale = alpha / r; default 2 x r).", List.of(), LORA),
            new Knob("lora.dropout", Kind.NUMBER, "Dropout on the LoRA input.", List.of(), LORA),
            new Knob("lora.targets", Kind.LIST, "Target layer name patterns, comma separated (empty = the family defaults).", List.of(), LORA),
            new Knob("train.optimizer", Kind.ENUM, "Optimizer.", List.of("adamw", "sgd"), ALL),
            new Knob("train.learning_rate", Kind.NUMBER, "Peak learning rate (the default depends on the method).", List.of(), ALL),
            new Knob("train.weight_decay", Kind.NUMBER, "Decoupled weight decay.", List.of(), ALL),
            new Knob("train.lr_schedule", Kind.ENUM, "Learning-rate schedule after warm-up.", List.of("constant", "linear", "cosine"), ALL),
            new Knob("train.warmup_steps", Kind.INT, "Linear warm-up steps.", List.of(), ALL),
            new Knob("train.epochs", Kind.INT, "Passes over the training rows (ignored when max_steps is set).", List.of(), ALL),
            new Knob("train.max_steps", Kind.INT, "Stop after this many steps (0 = epochs decide).", List.of(), ALL),
            new Knob("train.batch_size", Kind.INT, "Examples per step.", List.of(), ALL),
            new Knob("train.max_seq_len", Kind.INT, "Longer texts are truncated to this many tokens.", List.of(), ALL),
            new Knob("train.grad_clip", Kind.NUMBER, "Clip the gradient norm to this (0 = off).", List.of(), ALL),
            new Knob("train.eval_every", Kind.INT, "Evaluate every N steps (0 = at each epoch end).", List.of(), ALL),
            new Knob("train.early_stopping", Kind.INT, "Evaluations without improvement before stopping (0 = off).", List.of(), ALL),
            new Knob("train.checkpoint_every", Kind.INT, "Checkpoint every N steps (0 = the service interval).", List.of(), ALL),
            new Knob("train.checkpoint_minutes", Kind.NUMBER, "Checkpoint at least this often in minutes (empty = the service's interval).", List.of(), ALL),
            new Knob("train.log_every", Kind.INT, "Write a metric row every N steps.", List.of(), ALL),
            new Knob("train.seed", Kind.INT, "Random seed (data order, head init, dropout).", List.of(), ALL));

    /** The fields the config reader accepts, per section ("" = top level), for the test that keeps KNOBS complete. */
    static List<String> acceptedPaths() {
        List<String> out = new java.util.ArrayList<>();
        out.add("validation_split");
        FineTuneConfig.SLICE.forEach(f -> out.add("slicefine." + f));
        FineTuneConfig.LORA.forEach(f -> out.add("lora." + f));
        FineTuneConfig.TRAIN.forEach(f -> out.add("train." + f));
        return out;
    }
}
