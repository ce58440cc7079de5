package dev.slicefine.engine.train;

import dev.slicefine.engine.data.Task;

/**
 * The trainer's knobs (the method's own are in its config). maxSteps 0 = epochs x steps per epoch;
 * evalEvery / checkpointEvery / earlyStoppingPatience / gradClip 0 = off.
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
        int logEvery,
        long seed) {

    public TrainConfig {
        if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
            throw new IllegalArgumentException("optimizer must be adamw or sgd, got '" + optimizer + "'");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (epochs < 1 && maxSteps < 1) {
            throw new IllegalArgumentException("epochs or max steps must be at least 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("max sequence length must be at least 2, got " + maxSeqLen);
        }
        if (gradClip < 0 || evalEvery < 0 || earlyStoppingPatience < 0 || checkpointEvery < 0 || logEvery < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("grad clip, eval/checkpoint/log intervals, patience and warm-up must be >= 0");
        }
    }

    /** Defaults for a task: AdamW at SliceFine's learning rate (5e-3), 3 epochs, batch 16, linear decay, clip 1.0. */
    public static TrainConfig defaults(Task task) {
        return new TrainConfig(task, "adamw", 5e-3, 0.0, 0.9, 0.999, 1e-8, LrSchedule.Kind.LINEAR, 0, 3, 0, 16, 128,
                1.0, 0, 0, 0, 10, 42);
    }

    public int totalSteps(int stepsPerEpoch) {
        return maxSteps > 0 ? maxSteps : epochs * stepsPerEpoch;
    }
}
