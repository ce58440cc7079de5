package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BF16, F16, F64 and narrow integers load widened, exactly, from files made with known bit patterns. */
class HalfPrecisionDecodingTest {

    @TempDir
    Path dir;

    NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private NDArray loadOne(DType dtype, long[] shape, byte[] data) throws Exception {
        Path file = dir.resolve(dtype + ".safetensors");
        SafetensorsWriter.write(file, List.of(new SafetensorsWriter.Spec("t", dtype, shape)), null,
                (name, out) -> out.write(ByteBuffer.wrap(data)));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.raw("t").remaining()).isEqualTo(data.length);
            return read.load("t", manager);
        }
    }

    private static int[] bitsOf(NDArray array) {
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        int[] bits = new int[bytes.remaining() / 4];
        bytes.asIntBuffer().get(bits);
        return bits;
    }

    @Test
    void widensBf16BitPatternsExactly() throws Exception {
        int[] patterns = {
            0x3F80, // 1.0
            0xC020, // -2.5
            0x0000, // +0
            0x8000, // -0
            0x0001, // smallest subnormal, 2^-133
            0x007F, // largest subnormal
            0x0080, // smallest normal, 2^-126
            0x7F7F, // largest finite, 3.3895314e38
            0xFF7F, // most negative finite
            0x7F80, // +inf
            0xFF80, // -inf
            0x7FC0, // quiet NaN
            0x7F81, // signalling NaN with payload
            0xFFC1, // negative NaN with payload
        };
        NDArray loaded = loadOne(DType.BF16, new long[] {2, 7}, CraftedFiles.shorts(patterns));

        assertThat(loaded.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(loaded.getShape()).isEqualTo(new Shape(2, 7));
        int[] bits = bitsOf(loaded);
        for (int i = 0; i < patterns.length; i++) {
            assertThat(bits[i]).as("bf16 0x%04X", patterns[i]).isEqualTo(patterns[i] << 16);
        }
        float[] values = loaded.toFloatArray();
        assertThat(values[0]).isEqualTo(1.0f);
        assertThat(values[1]).isEqualTo(-2.5f);
        assertThat(values[4]).isEqualTo((float) Math.pow(2, -133));
        assertThat(values[6]).isEqualTo(Float.MIN_NORMAL);
        assertThat(values[7]).isEqualTo(3.3895314e38f);
        assertThat(values[9]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(values[10]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(values[11]).isNaN();
    }

    @Test
    void widensF16BitPatternsExactly() throws Exception {
        int[] patterns = {
            0x3C00, // 1.0
            0xC100, // -2.5
            0x0000, // +0
            0x8000, // -0
            0x0001, // smallest subnormal, 2^-24
            0x8001, // its negative
            0x03FF, // largest subnormal, 1023 * 2^-24
            0x0400, // smallest normal, 2^-14
            0x7BFF, // largest finite, 65504
            0xFBFF, // -65504
            0x3555, // 0.333251953125
            0x7C00, // +inf
            0xFC00, // -inf
            0x7E00, // quiet NaN
            0x7C01, // signalling NaN with payload
            0xFE01, // negative NaN with payload
        };
        NDArray loaded = loadOne(DType.F16, new long[] {16}, CraftedFiles.shorts(patterns));

        assertThat(loaded.getDataType()).isEqualTo(DataType.FLOAT32);
        float[] expected = {
            1.0f, -2.5f, 0f, -0f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 65504f, -65504f,
            0.333251953125f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
        };
        int[] bits = bitsOf(loaded);
        for (int i = 0; i < expected.length; i++) {
            assertThat(bits[i]).as("f16 0x%04X", patterns[i]).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
        assertThat(bits[13]).isEqualTo(0x7FC0_0000);
        assertThat(bits[14]).isEqualTo(0x7F80_2000); // payload shifted into the float mantissa, still a NaN
        assertThat(bits[15]).isEqualTo(0xFFC0_2000);
    }

    @Test
    void f16ConversionMatchesTheArithmeticDefinitionForEveryBitPattern() {
        for (int h = 0; h < 0x10000; h++) {
            int sign = h >>> 15;
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            float actual = TensorDecoder.f16ToFloat((short) h);
            if (exponent == 0x1f) {
                if (mantissa == 0) {
                    assertThat(actual).isEqualTo(sign == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
                } else {
                    assertThat(actual).as("0x%04X", h).isNaN();
                }
                continue;
            }
            double magnitude = exponent == 0
                    ? mantissa * Math.pow(2, -24)
                    : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            float expected = (float) (sign == 0 ? magnitude : -magnitude);
            assertThat(Float.floatToRawIntBits(actual)).as("0x%04X", h)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    @Test
    void bf16ConversionKeepsEveryBitPattern() {
        for (int b = 0; b < 0x10000; b++) {
            assertThat(TensorDecoder.bf16ToFloatBits((short) b)).isEqualTo(b << 16);
        }
    }

    @Test
    void narrowsF64ToFloat32() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(1.0).putDouble(-2.5).putDouble(Math.PI).putDouble(Double.NEGATIVE_INFINITY);
        NDArray loaded = loadOne(DType.F64, new long[] {4}, data.array());

        assertThat(loaded.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(loaded.toFloatArray()).containsExactly(1.0f, -2.5f, (float) Math.PI, Float.NEGATIVE_INFINITY);
    }

    @Test
    void widensSignedAndUnsignedBytesToInt32() throws Exception {
        byte[] data = {0, 1, -1, 127, -128};

        NDArray signed = loadOne(DType.I8, new long[] {5}, data);
        assertThat(signed.getDataType()).isEqualTo(DataType.INT32);
        assertThat(signed.toIntArray()).containsExactly(0, 1, -1, 127, -128);

        NDArray unsigned = loadOne(DType.U8, new long[] {5}, data);
        assertThat(unsigned.getDataType()).isEqualTo(DataType.INT32);
        assertThat(unsigned.toIntArray()).containsExactly(0, 1, 255, 127, 128);
    }

    @Test
    void widensInt16ToInt32() throws Exception {
        NDArray loaded = loadOne(DType.I16, new long[] {4}, CraftedFiles.shorts(1, -1, 32767, 0x8000));
        assertThat(loaded.getDataType()).isEqualTo(DataType.INT32);
        assertThat(loaded.toIntArray()).containsExactly(1, -1, 32767, -32768);
    }

    @Test
    void widensAZeroDimensionalBf16Tensor() throws Exception {
        NDArray loaded = loadOne(DType.BF16, new long[0], CraftedFiles.shorts(0xC020));
        assertThat(loaded.getShape()).isEqualTo(new Shape());
        assertThat(loaded.getFloat()).isEqualTo(-2.5f);
    }

    @Test
    void loadsTensorsStoredAtOddByteOffsets() throws Exception {
        // A 3-byte U8 tensor first puts every later tensor at an odd file offset (legal, if unusual).
        Path file = dir.resolve("odd.safetensors");
        ByteBuffer f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f).flip();
        ByteBuffer i64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-5L).flip();
        SafetensorsWriter.write(file, List.of(
                new SafetensorsWriter.Spec("a.u", DType.U8, new long[] {3}),
                new SafetensorsWriter.Spec("b.h", DType.BF16, new long[] {2}),
                new SafetensorsWriter.Spec("c.f", DType.F32, new long[] {2}),
                new SafetensorsWriter.Spec("d.i", DType.I64, new long[] {1})), null,
                (name, out) -> out.write(switch (name) {
                    case "a.u" -> ByteBuffer.wrap(new byte[] {7, 8, 9});
                    case "b.h" -> ByteBuffer.wrap(CraftedFiles.shorts(0x3F80, 0xC020));
                    case "c.f" -> f32;
                    default -> i64;
                }));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.info("c.f").begin() % 2).isEqualTo(1);
            assertThat(read.load("a.u", manager).toIntArray()).containsExactly(7, 8, 9);
            assertThat(read.load("b.h", manager).toFloatArray()).containsExactly(1.0f, -2.5f);
            assertThat(read.load("c.f", manager).toFloatArray()).containsExactly(1.5f, -3f);
            assertThat(read.load("d.i", manager).toLongArray()).containsExactly(-5L);
        }
    }
}
