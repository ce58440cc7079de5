package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    private static SafetensorsWriter.Spec spec(String name, DType dtype, long... shape) {
        return new SafetensorsWriter.Spec(name, dtype, shape);
    }

    /** Writes each tensor as its byte length of a repeating byte, in chunks, as a streaming source would. */
    private static SafetensorsWriter.BytesSource filler(List<SafetensorsWriter.Spec> specs) {
        return (name, out) -> {
            SafetensorsWriter.Spec spec = specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
            long left = spec.byteLength();
            byte value = (byte) name.length();
            while (left > 0) {
                byte[] chunk = new byte[(int) Math.min(left, 5)];
                Arrays.fill(chunk, value);
                out.write(ByteBuffer.wrap(chunk));
                left -= chunk.length;
            }
        };
    }

    private List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static JsonNode headerOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return SafetensorsHeader.JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    }

    @Test
    void streamsTensorsInSpecOrderAndTheReaderReadsThemBack() throws Exception {
        List<SafetensorsWriter.Spec> specs = List.of(
                spec("z.weight", DType.F32, 3, 2), spec("a.bias", DType.BF16, 3), spec("m.ids", DType.I64, 2));
        List<String> calls = new ArrayList<>();
        SafetensorsWriter.BytesSource fill = filler(specs);
        Path file = dir.resolve("out.safetensors");

        SafetensorsWriter.write(file, specs, Map.of("format", "pt"), (name, out) -> {
            calls.add(name);
            fill.write(name, out);
        });

        assertThat(calls).containsExactly("z.weight", "a.bias", "m.ids");
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.info("z.weight")).isEqualTo(new TensorInfo("z.weight", DType.F32, new long[] {3, 2}, 0, 24));
            assertThat(read.info("a.bias")).isEqualTo(new TensorInfo("a.bias", DType.BF16, new long[] {3}, 24, 30));
            assertThat(read.info("m.ids")).isEqualTo(new TensorInfo("m.ids", DType.I64, new long[] {2}, 30, 46));
            ByteBuffer bias = read.raw("a.bias");
            for (int i = 0; i < 6; i++) {
                assertThat(bias.get(i)).isEqualTo((byte) 6);
            }
            assertThat(read.metadata()).containsEntry("format", "pt");
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(bytes.length).isEqualTo(8 + headerLength + 46); // no gaps, no trailing bytes
    }

    @Test
    void headerKeepsSpecOrderAndMatchesTheFormat() throws Exception {
        List<SafetensorsWriter.Spec> specs = List.of(spec("z", DType.F16, 2), spec("a", DType.BOOL), spec("m", DType.U8, 0));
        Path file = dir.resolve("h.safetensors");
        SafetensorsWriter.write(file, specs, Map.of("format", "pt"), filler(specs));

        JsonNode header = headerOf(file);
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertThat(keys).containsExactly("__metadata__", "z", "a", "m");
        assertThat(header.get("z").toString()).isEqualTo("{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}");
        assertThat(header.get("a").toString()).isEqualTo("{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[4,5]}");
        assertThat(header.get("m").toString()).isEqualTo("{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[5,5]}");
        assertThat(header.get("__metadata__").toString()).isEqualTo("{\"format\":\"pt\"}");
    }

    @Test
    void dataSectionStartsOnAnEightByteBoundaryPaddedWithSpaces() throws Exception {
        for (int nameLength = 1; nameLength <= 16; nameLength++) {
            List<SafetensorsWriter.Spec> specs = List.of(spec("x".repeat(nameLength), DType.U8, 3));
            Path file = dir.resolve("a" + nameLength + ".safetensors");
            SafetensorsWriter.write(file, specs, null, filler(specs));

            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat((8 + n) % 8).as("name length %d", nameLength).isZero();
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertThat(header).startsWith("{").matches("(?s)\\{.*\\} *");
            assertThat(header.length() - header.stripTrailing().length()).isLessThan(8);
            assertThat(bytes.length).isEqualTo(8 + n + 3);
        }
    }

    @Test
    void sourceThatWritesTooFewBytesFailsAndLeavesNoFile() throws Exception {
        List<SafetensorsWriter.Spec> specs = List.of(spec("ok", DType.F32, 2), spec("short", DType.F32, 2, 2));
        Path file = dir.resolve("model.safetensors");

        assertThatThrownBy(() -> SafetensorsWriter.write(file, specs, null, (name, out) -> {
            out.write(ByteBuffer.allocate(name.equals("ok") ? 8 : 12));
        }))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("tensor 'short' (F32 [2, 2]) needs 16 bytes but its source wrote 12");
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void sourceThatWritesTooManyBytesFailsBeforeWritingThemAndLeavesNoFile() throws Exception {
        List<SafetensorsWriter.Spec> specs = List.of(spec("w", DType.I32, 2));
        Path file = dir.resolve("model.safetensors");

        assertThatThrownBy(() -> SafetensorsWriter.write(file, specs, null,
                (name, out) -> out.write(ByteBuffer.allocate(12))))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor 'w' (I32 [2]) needs 8 bytes but its source wrote more");
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void failingSourceKeepsThePreviousFileUntouched() throws Exception {
        Path file = dir.resolve("model.safetensors");
        List<SafetensorsWriter.Spec> specs = List.of(spec("w", DType.U8, 4));
        SafetensorsWriter.write(file, specs, null, filler(specs));
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> SafetensorsWriter.write(file, specs, null, (name, out) -> {
            throw new IOException("disk on fire");
        })).isInstanceOf(IOException.class).hasMessage("disk on fire");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(filesIn(dir)).containsExactly("model.safetensors");
    }

    @Test
    void replacesAnExistingFile() throws Exception {
        Path file = dir.resolve("model.safetensors");
        List<SafetensorsWriter.Spec> first = List.of(spec("old", DType.U8, 4));
        List<SafetensorsWriter.Spec> second = List.of(spec("new", DType.U8, 2));
        SafetensorsWriter.write(file, first, null, filler(first));
        SafetensorsWriter.write(file, second, null, filler(second));

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.names()).containsExactly("new");
        }
        assertThat(filesIn(dir)).containsExactly("model.safetensors");
    }

    @Test
    void sourceMayCloseItsChannelWithoutClosingTheFile() throws Exception {
        Path file = dir.resolve("c.safetensors");
        List<SafetensorsWriter.Spec> specs = List.of(spec("a", DType.U8, 1), spec("b", DType.U8, 1));

        SafetensorsWriter.write(file, specs, null, (name, out) -> {
            try (out) {
                out.write(ByteBuffer.wrap(new byte[] {(byte) name.charAt(0)}));
            }
        });

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.raw("b").get(0)).isEqualTo((byte) 'b');
        }
    }

    @Test
    void rejectsDuplicateReservedAndNegativeSpecs() {
        Path file = dir.resolve("bad.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(file,
                List.of(spec("w", DType.U8, 1), spec("w", DType.U8, 1)), null, (n, o) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w' is listed twice");
        assertThatThrownBy(() -> SafetensorsWriter.write(file,
                List.of(spec("__metadata__", DType.U8, 1)), null, (n, o) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> spec("w", DType.F32, 2, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative dimension");
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void specsWhoseTotalSizeOverflowsAreRejectedBeforeAnythingIsWritten() {
        Path file = dir.resolve("huge.safetensors");
        List<SafetensorsWriter.Spec> specs = List.of(spec("a", DType.F64, 1L << 59), spec("b", DType.F64, 1L << 59));

        assertThatThrownBy(() -> SafetensorsWriter.write(file, specs, null, (n, o) -> { }))
                .isInstanceOf(ArithmeticException.class);
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void writesNdArraysOfEverySupportedTypeAndRefusesOthers() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path file = dir.resolve("nd.safetensors");
            SafetensorsWriter.write(file, Map.of(
                    "f64", manager.create(new double[] {0.5, -1}),
                    "i8", manager.create(new byte[] {-3, 4})), null);
            try (SafetensorsFile read = SafetensorsFile.open(file)) {
                assertThat(read.info("f64").dtype()).isEqualTo(DType.F64);
                assertThat(read.load("f64", manager).toFloatArray()).containsExactly(0.5f, -1f);
                assertThat(read.info("i8").dtype()).isEqualTo(DType.I8);
                assertThat(read.load("i8", manager).toIntArray()).containsExactly(-3, 4);
            }
            assertThatThrownBy(() -> SafetensorsWriter.dtypeOf("u", DataType.BFLOAT16))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'u'")
                    .hasMessageContaining("BFLOAT16");
        }
    }
}
