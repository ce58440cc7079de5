package dev.slicefine.engine.train;

import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.data.Task;
import java.util.List;

/**
 * The trainer's knobs (the method's own are in its config). maxSteps 0 = epochs x steps per epoch;
 * evalEvery / checkpointEvery / checkpointMinutes (training time between checkpoints) / earlyStoppingPatience /
 * gradClip 0 = off.
 */
public record TrainConfig(
        Task task,
        String optimizer,
        double learningRate,
        double weightDecay,
        double beta1,
        double beta2,
        double eps,
        LrSchedule.Kind lrSchedule,
        int warmupSteps,
        int epochs,
        int maxSteps,
        int batchSize,
        int maxSeqLen,
        double gradClip,
        int evalEvery,
        int earlyStoppingPatience,
        int checkpointEvery,
        double checkpointMinutes,
        int logEvery,
        long seed) {
    public static final List<String> OPTIMIZERS = List.of("adamw", "sgd");

    /** The bounds of every field (JSON paths {@code train.*}); all bad fields are reported together. */
    public TrainConfig {
        ConfigErrors e = new ConfigErrors();
        if (!OPTIMIZERS.contains(optimizer)) {
            e.add("train.optimizer", ConfigError.UNKNOWN_VALUE, ConfigErrors.unknownValue(optimizer, OPTIMIZERS));
        }
        e.within("train.learning_rate", learningRate, 0, true, 10, false);
        e.within("train.weight_decay", weightDecay, 0, false, 10, false);
        e.between("train.warmup_steps", warmupSteps, 0, 10_000_000);
        e.between("train.epochs", epochs, 0, 10_000);
        e.between("train.max_steps", maxSteps, 0, 100_000_000);
        if (epochs < 1 && maxSteps < 1 && !e.has("train.epochs") && !e.has("train.max_steps")) {
            e.add("train.epochs", ConfigError.OUT_OF_RANGE, "train.epochs or train.max_steps must be at least 1");
        }
        e.between("train.batch_size", batchSize, 1, 4096);
        e.between("train.max_seq_len", maxSeqLen, 2, 131072);
        e.within("train.grad_clip", gradClip, 0, false, 1e6, false);
        e.between("train.eval_every", evalEvery, 0, Integer.MAX_VALUE);
        e.between("train.early_stopping", earlyStoppingPatience, 0, 100_000);
        e.between("train.checkpoint_every", checkpointEvery, 0, Integer.MAX_VALUE);
        e.within("train.checkpoint_minutes", checkpointMinutes, 0, false, 1e6, false);
        e.between("train.log_every", logEvery, 0, Integer.MAX_VALUE);
        e.throwIfAny();
    }

    /** Without time-based checkpoints. */
    public TrainConfig(Task task, String optimizer, double learningRate, double weightDecay, double beta1, double beta2,
                       double eps, LrSchedule.Kind lrSchedule, int warmupSteps, int epochs, int maxSteps, int batchSize,
                       int maxSeqLen, double gradClip, int evalEvery, int earlyStoppingPatience, int checkpointEvery,
                       int logEvery, long seed) {
        this(task, optimizer, learningRate, weightDecay, beta1, beta2, eps, lrSchedule, warmupSteps, epochs, maxSteps,
                batchSize, maxSeqLen, gradClip, evalEvery, earlyStoppingPatience, checkpointEvery, 0, logEvery, seed);
    }

    public TrainConfig withCheckpointMinutes(double minutes) {
        return new TrainConfig(task, optimizer, learningRate, weightDecay, beta1, beta2, eps, lrSchedule, warmupSteps, epochs,
                maxSteps, batchSize, maxSeqLen, gradClip, evalEvery, earlyStoppingPatience, checkpointEvery, minutes, logEvery, seed);
    }

    /** The peak learning rate a method trains well with by default (SliceFine 5e-3, LoRA 5e-4, full 5e-5, head 1e-3). */
    public static double defaultLearningRate(String method) {
        return switch (method) {
            case "lora" -> 5e-4;
            case "full" -> 5e-5;
            case "head" -> 1e-3;
            default -> 5e-3;
        };
    }

    /** Defaults for a task: AdamW at SliceFine's learning rate (5e-3), 3 epochs, batch 16, linear decay, clip 1.0. */
    public static TrainConfig defaults(Task task) {
        return new TrainConfig(task, "adamw", 5e-3, 0.0, 0.9, 0.999, 1e-8, LrSchedule.Kind.LINEAR, 0, 3, 0, 16, 128,
                1.0, 0, 0, 0, 0, 10, 42);
    }

    public int totalSteps(int stepsPerEpoch) {
        return maxSteps > 0 ? maxSteps : epochs * stepsPerEpoch;
    }
}
