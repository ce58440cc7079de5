package dev.slicefine.engine.peft.slice;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.nn.DenseLinear;
import dev.slicefine.engine.nn.Linear;
import dev.slicefine.engine.nn.Ops;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Linear whose frozen weight W (out x in) carries one trainable slice at a time, kept as a separate zero-initialised
 * delta D (never a gradient mask over W, so no gradient is ever computed for W):
 * column mode, position p: D is (out x r) and y = x W^T + b + x[..., p:p+r] D^T;
 * row mode: D is (r x in) and y = x W^T + b, then y[..., p:p+r] += x D^T.
 * {@link #fold} adds D into W at its slice (the only write to W), records it in the diff, and advances the position.
 * Each slice's D lives in its own manager, closed when the slice is folded.
 */
public final class SliceLinear implements Linear {
    private final String name;
    private final NDArray weight;
    private final NDArray bias;
    private final NDManager parent;
    private final long dOut;
    private final long dIn;
    private final int maxPosition;
    private final int[] positions = new int[SliceMode.values().length];
    private final Map<Integer, float[]> columnDiff = new TreeMap<>();
    private final Map<Integer, float[]> rowDiff = new TreeMap<>();
    private SliceMode mode;
    private int rank;
    private NDManager sliceManager;
    private NDArray delta;

    /** Wraps {@code base}; slices open in {@code parent}'s children. maxPosition 0 = the layer's size. */
    public SliceLinear(String name, Linear base, NDManager parent, int position, int maxPosition) {
        this.name = name;
        this.weight = base.weight();
        this.bias = base.bias();
        this.parent = parent;
        this.dOut = weight.getShape().get(0);
        this.dIn = weight.getShape().get(1);
        this.maxPosition = maxPosition;
        java.util.Arrays.fill(positions, position);
    }

    public String name() {
        return name;
    }

    @Override
    public NDArray weight() {
        return weight;
    }

    @Override
    public NDArray bias() {
        return bias;
    }

    public SliceMode mode() {
        return mode;
    }

    public int rank() {
        return rank;
    }

    /** The current slice's position in the current mode. */
    public int position() {
        return positions[mode.ordinal()];
    }

    public int position(SliceMode m) {
        return positions[m.ordinal()];
    }

    /** The trainable delta of the open slice (requires a gradient), or null between fold and open. */
    public NDArray delta() {
        return delta;
    }

    /** The extent a mode's slices sweep: out for rows, in for columns, capped by max_position. */
    public long extent(SliceMode m) {
        long dim = m == SliceMode.ROW ? dOut : dIn;
        return SliceConfig.extent(dim, maxPosition);
    }

    /** Opens a fresh zero slice; a position that would run past the extent restarts that mode at 0. */
    public void open(SliceMode newMode, int newRank) {
        if (delta != null) {
            throw new IllegalStateException(name + ": fold the open slice before opening another");
        }
        if (newRank > extent(newMode)) {
            throw new IllegalArgumentException("rank " + newRank + " is larger than " + name + "'s " + newMode.id()
                    + " extent " + extent(newMode));
        }
        mode = newMode;
        rank = newRank;
        positions[mode.ordinal()] = SliceConfig.openPosition(positions[mode.ordinal()], rank, extent(mode));
        sliceManager = parent.newSubManager();
        Shape shape = mode == SliceMode.COLUMN ? new Shape(dOut, rank) : new Shape(rank, dIn);
        delta = sliceManager.zeros(shape, DataType.FLOAT32);
        delta.setRequiresGradient(true);
    }

    /** Restores an open slice from a checkpoint (values of D included). */
    public void restore(SliceMode newMode, int newRank, int[] modePositions, float[] values) {
        System.arraycopy(modePositions, 0, positions, 0, positions.length);
        open(newMode, newRank);
        Ops.copyInto(delta, values);
    }

    public int[] positions() {
        return positions.clone();
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = DenseLinear.linear(x, weight, bias);
        if (delta == null) {
            return y;
        }
        int p = position();
        if (mode == SliceMode.COLUMN) {
            return y.add(DenseLinear.linear(x.get("..., " + p + ":" + (p + rank)), delta, null));
        }
        NDArray extra = DenseLinear.linear(x, delta, null);
        return y.add(extra.pad(new Shape(p, dOut - p - rank), 0));
    }

    /**
     * What one fold did: the folded slice's mode, position and rank, the position that mode moves on to, the size of
     * the swept dimension, and the Frobenius norm of the folded delta.
     */
    public record Fold(SliceMode mode, int from, int to, int rank, long dim, double deltaNorm) {}

    /**
     * Adds D into W at its slice, records the change, advances this mode's position by r and closes the slice.
     * Must run with gradient recording off (outside a GradientCollector). Null when no slice was open.
     */
    public Fold fold() {
        if (delta == null) {
            return null;
        }
        int p = position();
        float[] d = delta.toFloatArray();
        double squares = 0;
        for (float v : d) {
            squares += (double) v * v;
        }
        if (squares > 0) {
            record(p, d);
        }
        SliceMode folded = mode;
        int next = p + rank;
        positions[mode.ordinal()] = next;
        sliceManager.close();
        sliceManager = null;
        delta = null;
        return new Fold(folded, p, SliceConfig.openPosition(next, rank, extent(folded)), rank,
                folded == SliceMode.COLUMN ? dIn : dOut, Math.sqrt(squares));
    }

    /** Adds D into W's slice at p and into the recorded diff (an untrained, all-zero D changes nothing). */
    private void record(int p, float[] d) {
        String index = mode == SliceMode.COLUMN ? ":, " + p + ":" + (p + rank) : p + ":" + (p + rank) + ", :";
        try (NDManager tmp = parent.newSubManager()) {
            // A basic slice of W is a view: adding in place writes W's slice and nothing else.
            NDArray view = weight.get(index);
            view.attach(tmp);
            NDArray d2 = delta.stopGradient();
            d2.attach(tmp);
            view.addi(d2);
        }
        if (mode == SliceMode.COLUMN) {
            for (int j = 0; j < rank; j++) {
                float[] acc = columnDiff.computeIfAbsent(p + j, k -> new float[(int) dOut]);
                for (int i = 0; i < dOut; i++) {
                    acc[i] += d[i * rank + j];
                }
            }
        } else {
            for (int j = 0; j < rank; j++) {
                float[] acc = rowDiff.computeIfAbsent(p + j, k -> new float[(int) dIn]);
                for (int i = 0; i < dIn; i++) {
                    acc[i] += d[j * (int) dIn + i];
                }
            }
        }
    }

    /** Accumulated new-minus-old values of every column any slice changed (index -> column of length out). */
    public Map<Integer, float[]> columnDiff() {
        return columnDiff;
    }

    /** Accumulated new-minus-old values of every row any slice changed (index -> row of length in). */
    public Map<Integer, float[]> rowDiff() {
        return rowDiff;
    }

    /** Replaces the recorded diff (resume from a checkpoint, where W already holds these folds). */
    public void restoreDiff(Map<Integer, float[]> columns, Map<Integer, float[]> rows) {
        columnDiff.clear();
        columnDiff.putAll(columns);
        rowDiff.clear();
        rowDiff.putAll(rows);
    }

    /** Folds nothing, frees the open slice (used when a run is abandoned). */
    public void discard() {
        if (sliceManager != null) {
            sliceManager.close();
            sliceManager = null;
            delta = null;
        }
    }
}
