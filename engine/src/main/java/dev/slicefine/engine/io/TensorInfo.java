package dev.slicefine.engine.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry of a safetensors file. {@code begin} and {@code end} are byte offsets relative to the start of the
 * data section (as in the file), {@code end} exclusive. The shape array is copied in and out, so the record is immutable.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the dimensions, 1 for a 0-d tensor. */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes the tensor occupies in the file: {@code end - begin} for a valid entry. */
    public long byteLength() {
        return Math.multiplyExact(numel(), (long) dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo other
                && name.equals(other.name)
                && dtype == other.dtype
                && Arrays.equals(shape, other.shape)
                && begin == other.begin
                && end == other.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
