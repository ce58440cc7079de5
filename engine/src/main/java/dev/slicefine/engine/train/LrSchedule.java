package dev.slicefine.engine.train;

import java.util.Locale;

/** Linear warm-up to the peak, then constant, linear decay to 0, or cosine decay to 0 at the last step. */
public record LrSchedule(Kind kind, int warmupSteps, int totalSteps) {
    public enum Kind {
        CONSTANT, LINEAR, COSINE;

        public static Kind parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown lr schedule '" + s + "' (constant, linear, cosine)");
            }
        }
    }

    public LrSchedule {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
    }

    /** Multiplier of the peak learning rate for optimizer step {@code step} (0-based). */
    public double factor(int step) {
        if (step < warmupSteps) {
            return (step + 1) / (double) (warmupSteps + 1);
        }
        if (kind == Kind.CONSTANT || totalSteps <= warmupSteps) {
            return 1.0;
        }
        double progress = (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
        progress = Math.min(1.0, progress);
        return kind == Kind.LINEAR ? 1.0 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
