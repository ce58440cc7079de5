package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

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

    @Test
    void roundTripsFloat32Int64Int32AndBooleanTensors() throws Exception {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("w", manager.create(new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE, -0f, 7e30f}, new Shape(2, 3)));
        tensors.put("ids", manager.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, new Shape(4, 1)));
        tensors.put("mask", manager.create(new int[] {Integer.MIN_VALUE, 42, Integer.MAX_VALUE}));
        tensors.put("flags", manager.create(new boolean[] {true, false, false, true}, new Shape(2, 2)));
        Path file = dir.resolve("t.safetensors");

        SafetensorsWriter.write(file, tensors, Map.of());

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.names()).containsExactly("flags", "ids", "mask", "w");
            for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
                NDArray loaded = read.load(entry.getKey(), manager);
                assertThat(loaded.getDataType()).isEqualTo(entry.getValue().getDataType());
                assertThat(loaded.getShape()).isEqualTo(entry.getValue().getShape());
                assertThat(loaded.contentEquals(entry.getValue())).as(entry.getKey()).isTrue();
                assertThat(loaded.getName()).isEqualTo(entry.getKey());
            }
            assertThat(read.info("w")).isEqualTo(new TensorInfo("w", DType.F32, new long[] {2, 3}, 0, 24));
            assertThat(read.info("ids").dtype()).isEqualTo(DType.I64);
            assertThat(read.info("mask").dtype()).isEqualTo(DType.I32);
            assertThat(read.info("flags").dtype()).isEqualTo(DType.BOOL);
            assertThat(read.fileOf("w")).isEqualTo(file);
        }
    }

    @Test
    void roundTripsZeroDimensionalTensorAsEmptyShape() throws Exception {
        Path file = dir.resolve("scalar.safetensors");
        SafetensorsWriter.write(file, Map.of("step", manager.create(7L), "loss", manager.create(0.25f)), null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            NDArray step = read.load("step", manager);
            assertThat(step.getShape()).isEqualTo(new Shape());
            assertThat(step.getLong()).isEqualTo(7L);
            assertThat(read.load("loss", manager).getFloat()).isEqualTo(0.25f);
            assertThat(read.info("step").shape()).isEmpty();
            assertThat(read.info("step").numel()).isEqualTo(1);
        }
    }

    @Test
    void roundTripsTensorsWithNoElements() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("before", manager.create(new float[] {1f}));
        tensors.put("nothing", manager.create(new Shape(3, 0), DataType.FLOAT32));
        tensors.put("after", manager.create(new float[] {2f}));
        SafetensorsWriter.write(file, tensors, null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.info("nothing").byteLength()).isZero();
            NDArray nothing = read.load("nothing", manager);
            assertThat(nothing.getShape()).isEqualTo(new Shape(3, 0));
            assertThat(read.raw("nothing").remaining()).isZero();
            assertThat(read.load("after", manager).getFloat()).isEqualTo(2f);
        }
    }

    @Test
    void roundTripsMetadataInKeyOrder() throws Exception {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("slicefine.rank", "4");
        metadata.put("note", "unicode ✓ \"quoted\"");
        SafetensorsWriter.write(file, Map.of("x", manager.create(new float[] {1f})), metadata);

        // Written sorted by key whatever order they were given in, so the same content gives the same bytes.
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.metadata()).containsExactlyEntriesOf(new java.util.TreeMap<>(metadata));
        }
    }

    @Test
    void fileWithoutMetadataHasEmptyMetadata() throws Exception {
        Path file = dir.resolve("plain.safetensors");
        SafetensorsWriter.write(file, Map.of("x", manager.create(new float[] {1f})), Map.of());

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.metadata()).isEmpty();
        }
    }

    @Test
    void rawIsAReadOnlyLittleEndianViewOfTheStoredBytes() throws Exception {
        Path file = dir.resolve("raw.safetensors");
        SafetensorsWriter.write(file, Map.of("x", manager.create(new int[] {0x01020304, -2})), null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            ByteBuffer raw = read.raw("x");
            assertThat(raw.isReadOnly()).isTrue();
            assertThat(raw.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(raw.remaining()).isEqualTo(8);
            assertThat(raw.get(0)).isEqualTo((byte) 0x04);
            assertThat(raw.getInt(0)).isEqualTo(0x01020304);
            assertThat(raw.getInt(4)).isEqualTo(-2);
        }
    }

    @Test
    void loadedArraysOwnTheirMemoryAndCanBeUpdatedInPlace() throws Exception {
        // Wrapping the read-only file mapping would make this addi fault (a JVM crash) or write through to the file.
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("w", manager.create(new float[] {1f, 2f, 3f})), null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            NDArray first = read.load("w", manager);
            first.addi(10f);
            assertThat(first.toFloatArray()).containsExactly(11f, 12f, 13f);
            assertThat(read.load("w", manager).toFloatArray()).containsExactly(1f, 2f, 3f);
        }
    }

    @Test
    void writesNonContiguousArraysInLogicalOrder() throws Exception {
        Path file = dir.resolve("t.safetensors");
        NDArray transposed = manager.arange(6f).reshape(2, 3).transpose();
        SafetensorsWriter.write(file, Map.of("t", transposed), null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.load("t", manager).toFloatArray()).containsExactly(0f, 3f, 1f, 4f, 2f, 5f);
        }
    }

    @Test
    void reportsAnAbsentTensorByName() throws Exception {
        Path file = dir.resolve("a.safetensors");
        SafetensorsWriter.write(file, Map.of("x", manager.create(new float[] {1f})), null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.contains("x")).isTrue();
            assertThat(read.contains("y")).isFalse();
            assertThatThrownBy(() -> read.info("y"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'y'")
                    .hasMessageContaining("a.safetensors");
            assertThatThrownBy(() -> read.load("y", manager)).isInstanceOf(CheckpointException.class);
        }
    }

    @Test
    void readingAfterCloseFailsClearly() throws Exception {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, Map.of("x", manager.create(new float[] {1f})), null);
        SafetensorsFile read = SafetensorsFile.open(file);
        read.close();

        assertThatThrownBy(() -> read.load("x", manager))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining("'x'");
    }

    @Test
    void namesAreSortedWhateverTheWriteOrder() throws Exception {
        Path file = dir.resolve("order.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String name : List.of("z", "a.b", "a", "m")) {
            tensors.put(name, manager.create(new float[] {1f}));
        }
        SafetensorsWriter.write(file, tensors, null);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.names()).containsExactly("a", "a.b", "m", "z");
            assertThat(read.info("z").begin()).isZero(); // written first
        }
    }
}
