package dev.slicefine.engine.peft.slice;

import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.peft.TargetPatterns;
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

    /** The largest rank (and LoRA r) a job may ask for. */
    public static final int MAX_RANK = 65536;

    /** The bounds of every field (JSON paths {@code slicefine.*}); all bad fields are reported together. */
    public SliceConfig {
        modes = List.copyOf(modes);
        targets = List.copyOf(targets);
        ConfigErrors e = new ConfigErrors();
        e.between("slicefine.rank", rank, 1, MAX_RANK);
        if (modes.isEmpty() || modes.size() > 2 || (modes.size() == 2 && modes.get(0) == modes.get(1))) {
            e.add("slicefine.modes", ConfigError.UNKNOWN_VALUE, "must be [row], [column], [row, column] or [column, row], got "
                    + modes.stream().map(SliceMode::id).toList());
        }
        e.between("slicefine.move_steps", moveSteps, 1, Integer.MAX_VALUE);
        e.between("slicefine.position", position, 0, Integer.MAX_VALUE);
        e.between("slicefine.max_position", maxPosition, 0, Integer.MAX_VALUE);
        e.within("slicefine.learning_rate_decay", learningRateDecay, 0, true, 1, false);
        e.within("slicefine.min_learning_rate", minLearningRate, 0, false, 10, false);
        e.between("slicefine.tolerance", tolerance, 0, Integer.MAX_VALUE);
        e.within("slicefine.rank_decay", rankDecay, 0, true, 1, false);
        e.between("slicefine.min_rank", minRank, 1, MAX_RANK);
        if (!e.has("slicefine.rank") && minRank > rank) {
            e.add("slicefine.min_rank", ConfigError.OUT_OF_RANGE, "must not exceed slicefine.rank (" + rank + "), got " + minRank);
        }
        TargetPatterns.check("slicefine.targets", targets, e);
        e.throwIfAny();
    }

    /** Trainable values of one slice of an (out x in) weight: a column slice is out x r, a row slice r x in. */
    public static long sliceParams(long out, long in, SliceMode mode, int rank) {
        return (long) rank * (mode == SliceMode.COLUMN ? out : in);
    }

    /** The extent a mode's slices sweep over a dimension of size {@code dim}: max_position caps it (0 = no cap). */
    public static long extent(long dim, int maxPosition) {
        return maxPosition > 0 ? Math.min(dim, maxPosition) : dim;
    }

    /** Where a slice of {@code rank} opens when its mode stands at {@code position}: past the extent it restarts at 0. */
    public static int openPosition(int position, int rank, long extent) {
        return position + rank > extent ? 0 : position;
    }

    public SliceConfig withTargets(List<String> t) {
        return new SliceConfig(rank, modes, moveSteps, position, maxPosition, learningRateDecay, minLearningRate, tolerance,
                rankDecay, minRank, bias, t);
    }
}
