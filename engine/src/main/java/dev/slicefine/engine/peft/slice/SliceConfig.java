package dev.slicefine.engine.peft.slice;

import java.util.List;

/**
 * SliceFine's hyper-parameters, named as the paper's trainer names them. {@code modes}: [column] (column sweep),
 * [row] (row sweep) or [row, column] (alternation: move k uses modes[k % 2]). {@code maxPosition} 0 = the layer's
 * dimension. {@code tolerance} 0 = never lower the rank. {@code targets} empty = the family's defaults.
 */
public record SliceConfig(
        int rank,
        List<SliceMode> modes,
        int moveSteps,
        int position,
        int maxPosition,
        double learningRateDecay,
        double minLearningRate,
        int tolerance,
        double rankDecay,
        int minRank,
        boolean bias,
        List<String> targets) {

    /** The defaults that work on real data (the spec's GPU anchor: rank 4, column sweep, move every 50 steps). */
    public static SliceConfig defaults() {
        return new SliceConfig(4, List.of(SliceMode.COLUMN), 50, 0, 0, 1.0, 0.0, 0, 0.5, 1, false, List.of());
    }

    public SliceConfig {
        modes = List.copyOf(modes);
        targets = List.copyOf(targets);
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be at least 1, got " + rank);
        }
        if (modes.isEmpty() || modes.size() > 2 || (modes.size() == 2 && modes.get(0) == modes.get(1))) {
            throw new IllegalArgumentException("modes must be [row], [column], [row, column] or [column, row], got " + modes);
        }
        if (moveSteps < 1) {
            throw new IllegalArgumentException("move_steps must be at least 1, got " + moveSteps);
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
        if (maxPosition < 0) {
            throw new IllegalArgumentException("max_position must be >= 0 (0 = the layer's size), got " + maxPosition);
        }
        if (learningRateDecay <= 0 || learningRateDecay > 1) {
            throw new IllegalArgumentException("learning_rate_decay must be in (0, 1], got " + learningRateDecay);
        }
        if (minLearningRate < 0) {
            throw new IllegalArgumentException("min_learning_rate must be >= 0, got " + minLearningRate);
        }
        if (tolerance < 0) {
            throw new IllegalArgumentException("tolerance must be >= 0 (0 = off), got " + tolerance);
        }
        if (rankDecay <= 0 || rankDecay > 1) {
            throw new IllegalArgumentException("rank_decay must be in (0, 1], got " + rankDecay);
        }
        if (minRank < 1 || minRank > rank) {
            throw new IllegalArgumentException("min_rank must be in [1, rank], got " + minRank);
        }
    }

    public SliceConfig withTargets(List<String> t) {
        return new SliceConfig(rank, modes, moveSteps, position, maxPosition, learningRateDecay, minLearningRate, tolerance,
                rankDecay, minRank, bias, t);
    }
}
