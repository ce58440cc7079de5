package dev.slicefine.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;

/**
 * Turns a tensor's file bytes into an NDArray the caller owns. Half and double precision are widened to float32 here,
 * in Java, because a BF16 NDArray aborts the JVM in DJL 0.36.
 *
 * <p>On CPU, DJL's PyTorch engine wraps a direct buffer without copying and keeps it as the tensor's storage. Wrapping
 * a read-only file mapping would let a later in-place update fault (a JVM crash) and would tie the weights to the
 * file; wrapping our own widening buffer would keep every weight in Java direct memory, which is capped by
 * -XX:MaxDirectMemorySize. So every load wraps, clones into PyTorch-owned memory, and drops the wrapper: at most one
 * tensor is ever held twice.
 *
 * <p>F32, I64, I32 and BOOL bytes go to PyTorch as stored, which assumes a little-endian host (x86-64, aarch64).
 */
final class TensorDecoder {

    private TensorDecoder() {}

    /** The NDArray type a file dtype loads as. */
    static DataType loadedType(DType dtype) {
        return switch (dtype) {
            case F64, F32, F16, BF16 -> DataType.FLOAT32;
            case I64 -> DataType.INT64;
            case I32, I16, I8, U8 -> DataType.INT32;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /**
     * @param bytes the tensor's bytes, little-endian, position 0, exactly {@code info.byteLength()} remaining
     */
    static NDArray decode(Path file, TensorInfo info, ByteBuffer bytes, NDManager manager) {
        Shape shape = new Shape(info.shape());
        DataType type = loadedType(info.dtype());
        long numel = info.numel();
        if (numel == 0) {
            return manager.zeros(shape, type);
        }
        long outBytes = Math.multiplyExact(numel, (long) type.getNumOfBytes());
        if (outBytes > Integer.MAX_VALUE) {
            throw new CheckpointException(SafetensorsHeader.message(file, SafetensorsHeader.tensor(info.name())
                    + " would take " + outBytes + " bytes as " + type + ", over the 2 GiB a single tensor may load to"));
        }
        ByteBuffer storage = switch (info.dtype()) {
            case F32, I64, I32, BOOL -> bytes; // already the loaded layout
            case BF16 -> widenBf16(bytes.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer(), (int) numel);
            case F16 -> widenF16(bytes.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer(), (int) numel);
            case F64 -> narrowF64(bytes.order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer(), (int) numel);
            case I16 -> widenI16(bytes.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer(), (int) numel);
            case I8 -> widenI8(bytes, (int) numel, true);
            case U8 -> widenI8(bytes, (int) numel, false);
        };
        try (NDArray wrapper = manager.create(storage, shape, type)) {
            return wrapper.duplicate();
        }
    }

    private static ByteBuffer allocate(int numel, int bytesPerElement) {
        return ByteBuffer.allocateDirect(numel * bytesPerElement).order(ByteOrder.nativeOrder());
    }

    // Half precision is widened bit for bit through IntBuffer, never through a float value: moving a signalling NaN
    // through a float may quiet it on some CPUs, and a weight should load exactly as stored.
    private static ByteBuffer widenBf16(ShortBuffer in, int numel) {
        ByteBuffer out = allocate(numel, Float.BYTES);
        IntBuffer bits = out.asIntBuffer();
        for (int i = 0; i < numel; i++) {
            bits.put(i, bf16ToFloatBits(in.get(i)));
        }
        return out;
    }

    private static ByteBuffer widenF16(ShortBuffer in, int numel) {
        ByteBuffer out = allocate(numel, Float.BYTES);
        IntBuffer bits = out.asIntBuffer();
        for (int i = 0; i < numel; i++) {
            bits.put(i, f16ToFloatBits(in.get(i)));
        }
        return out;
    }

    private static ByteBuffer narrowF64(DoubleBuffer in, int numel) {
        ByteBuffer out = allocate(numel, Float.BYTES);
        FloatBuffer floats = out.asFloatBuffer();
        for (int i = 0; i < numel; i++) {
            floats.put(i, (float) in.get(i));
        }
        return out;
    }

    private static ByteBuffer widenI16(ShortBuffer in, int numel) {
        ByteBuffer out = allocate(numel, Integer.BYTES);
        IntBuffer ints = out.asIntBuffer();
        for (int i = 0; i < numel; i++) {
            ints.put(i, in.get(i));
        }
        return out;
    }

    private static ByteBuffer widenI8(ByteBuffer in, int numel, boolean signed) {
        ByteBuffer out = allocate(numel, Integer.BYTES);
        IntBuffer ints = out.asIntBuffer();
        for (int i = 0; i < numel; i++) {
            byte b = in.get(i);
            ints.put(i, signed ? b : b & 0xff);
        }
        return out;
    }

    /** bfloat16 is the top half of a float32, so widening is a shift; exact for every value, NaN payloads included. */
    static int bf16ToFloatBits(short bits) {
        return (bits & 0xffff) << 16;
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bf16ToFloatBits(bits));
    }

    /**
     * IEEE 754 binary16 to binary32 bits, exact for every value (Float.float16ToFloat is Java 20+): subnormals are
     * renormalised, infinities stay infinite, NaNs keep their sign and payload.
     */
    static int f16ToFloatBits(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return sign | 0x7f80_0000 | (mantissa << 13);
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float32 where it is a normal number
            return sign | Float.floatToRawIntBits(mantissa * 0x1p-24f);
        }
        // rebias the exponent from 15 to 127
        return sign | ((exponent + 112) << 23) | (mantissa << 13);
    }

    static float f16ToFloat(short bits) {
        return Float.intBitsToFloat(f16ToFloatBits(bits));
    }
}
