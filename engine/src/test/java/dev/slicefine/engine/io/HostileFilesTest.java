package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file fails at open with one CheckpointException sentence naming the file, tensor and problem. */
class HostileFilesTest {

    @TempDir
    Path dir;

    private static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(Path file) {
        return assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.getFileName().toString())
                .satisfies(e -> assertThat(e.getMessage()).endsWith("."));
    }

    private Path header(String json, int dataLength) {
        return CraftedFiles.withHeader(dir.resolve("hostile.safetensors"), json, dataLength);
    }

    @Test
    void rejectsFileShorterThanTheLengthPrefix() {
        Path file = CraftedFiles.bytes(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertOpenFails(file).hasMessageContaining("3 bytes long, shorter than the 8-byte header length");
    }

    @Test
    void rejectsEmptyFile() {
        Path file = CraftedFiles.bytes(dir.resolve("empty.safetensors"), new byte[0]);
        assertOpenFails(file).hasMessageContaining("0 bytes long");
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() {
        Path file = CraftedFiles.withHeaderLength(dir.resolve("cut.safetensors"), 1000, "{}".getBytes());
        assertOpenFails(file).hasMessageContaining("header length 1000 runs past the end of the file (10 bytes)");
    }

    @Test
    void rejectsHeaderLengthOverTheSaneLimitWithoutAllocatingIt() {
        Path file = CraftedFiles.withHeaderLength(dir.resolve("huge.safetensors"), 200_000_000L, "{}".getBytes());
        assertOpenFails(file).hasMessageContaining("header length 200000000 exceeds the limit of 100000000 bytes");
    }

    @Test
    void rejectsHeaderLengthOverTheLimitEvenWhenTheFileIsThatLarge() throws Exception {
        Path file = CraftedFiles.withHeaderLength(dir.resolve("sparse.safetensors"), 100_000_001L, new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(8 + 100_000_001L + 16); // sparse: costs no disk
        }
        assertOpenFails(file).hasMessageContaining("exceeds the limit");
    }

    @Test
    void reportsAnUnsignedHeaderLengthAsUnsigned() {
        Path file = CraftedFiles.withHeaderLength(dir.resolve("u64.safetensors"), -1L, "{}".getBytes());
        assertOpenFails(file).hasMessageContaining("header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void rejectsHeaderThatIsNotJson() {
        assertOpenFails(header("{\"w\": {\"dtype\": ", 0)).hasMessageContaining("header is not valid JSON");
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() {
        Path file = CraftedFiles.withHeaderLength(dir.resolve("latin1.safetensors"), 6,
                new byte[] {'{', '"', (byte) 0xff, '"', ':', '}'});
        assertOpenFails(file).hasMessageContaining("header is not valid JSON");
    }

    @Test
    void rejectsTrailingGarbageAfterTheHeaderObject() {
        assertOpenFails(header("{} {}", 0)).hasMessageContaining("content after the closing brace");
    }

    @Test
    void rejectsHeaderThatIsNotAnObject() {
        assertOpenFails(header("[1, 2]", 0)).hasMessageContaining("header is not a JSON object");
    }

    @Test
    void rejectsBlankHeader() {
        assertOpenFails(header("        ", 0)).hasMessageContaining("header is not a JSON object");
    }

    @Test
    void rejectsEntryThatIsNotAnObject() {
        assertOpenFails(header("{\"w\": [1]}", 0)).hasMessageContaining("tensor 'w' is not a JSON object");
    }

    @Test
    void rejectsEntryWithoutDtype() {
        assertOpenFails(header("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has no dtype");
    }

    @Test
    void rejectsEntryWithoutShape() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has no shape");
    }

    @Test
    void rejectsEntryWithoutDataOffsets() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8))
                .hasMessageContaining("tensor 'w' has no data_offsets");
    }

    @Test
    void rejectsUnknownDtypeNamingIt() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2))
                .hasMessageContaining("tensor 'w' has unsupported dtype 'F8_E4M3'");
    }

    @Test
    void rejectsDtypeThatIsNotAString() {
        assertOpenFails(header("{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has a dtype that is not a string");
    }

    @Test
    void rejectsNegativeDimension() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has shape [-2] with an entry that is not a non-negative integer");
    }

    @Test
    void rejectsFractionalDimension() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has shape [2.5]");
    }

    @Test
    void rejectsDimensionBeyondSixtyFourBits() {
        assertOpenFails(header(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has shape [99999999999999999999]");
    }

    @Test
    void rejectsShapeWhoseSizeOverflows() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has shape [4294967296, 4294967296]")
                .hasMessageContaining("overflows a 64-bit integer");
    }

    @Test
    void rejectsShapeWhoseByteSizeOverflowsEvenThoughTheElementCountFits() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],"
                + "\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("overflows");
    }

    @Test
    void rejectsDataOffsetsThatAreNotAPair() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8))
                .hasMessageContaining("tensor 'w' has a data_offsets that is not an array of 2 integers");
    }

    @Test
    void rejectsOffsetsBeyondTheDataSection() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 8))
                .hasMessageContaining("tensor 'w' has data_offsets [4, 12] beyond the data section of 8 bytes");
    }

    @Test
    void rejectsHugeOffsetsWithoutOverflowing() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[9223372036854775800,9223372036854775807]}}", 8))
                .hasMessageContaining("beyond the data section");
    }

    @Test
    void rejectsBeginAfterEnd() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8))
                .hasMessageContaining("tensor 'w' has data_offsets [8, 0] with begin after end");
    }

    @Test
    void rejectsOverlappingTensors() {
        assertOpenFails(header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12))
                .hasMessageContaining("tensor 'b' at bytes [4, 12) overlaps tensor 'a' at bytes [0, 8)");
    }

    @Test
    void rejectsTwoNamesForTheSameBytes() {
        assertOpenFails(header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("overlaps");
    }

    @Test
    void rejectsShapeThatDoesNotMatchTheByteRange() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'w' has data_offsets [0, 8] spanning 8 bytes but shape [3] of F32 "
                        + "needs 12 bytes");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        assertOpenFails(header("{" + W + "," + W.replace("[0,8]", "[8,16]") + "}", 16))
                .hasMessageContaining("header lists tensor 'w' twice");
    }

    @Test
    void rejectsDuplicateKeysInsideAnEntry() {
        assertOpenFails(header("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                8))
                .hasMessageContaining("header is not valid JSON")
                .hasMessageContaining("dtype");
    }

    @Test
    void rejectsMetadataThatIsNotAnObject() {
        assertOpenFails(header("{\"__metadata__\":[\"pt\"]," + W + "}", 8))
                .hasMessageContaining("__metadata__ is not a JSON object of strings");
    }

    @Test
    void rejectsMetadataWithNonStringValues() {
        assertOpenFails(header("{\"__metadata__\":{\"format\":\"pt\",\"total_size\":8}," + W + "}", 8))
                .hasMessageContaining("__metadata__ value for 'total_size' is not a string");
    }

    @Test
    void rejectsMissingFileNamingIt() {
        Path file = dir.resolve("absent.safetensors");
        assertOpenFails(file).hasMessageContaining("no such file");
    }

    @Test
    void rejectsAFolder() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder.safetensors"));
        assertOpenFails(folder).hasMessageContaining("it is a directory");
    }

    @Test
    void acceptsDataBytesNotCoveredByAnyTensor() throws Exception {
        // The reference implementation insists on a gapless data section; nothing in reading needs that.
        Path file = header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 16);
        assertThatCode(() -> SafetensorsFile.open(file).close()).doesNotThrowAnyException();
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.raw("a").remaining()).isEqualTo(4);
        }
    }

    @Test
    void acceptsHeaderPaddedWithSpaces() throws Exception {
        Path file = header("{" + W + "}          ", 8);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.names()).containsExactly("w");
        }
    }

    @Test
    void acceptsTensorsInAnyByteOrderAndEmptyTensorsAnywhere() throws Exception {
        Path file = header("{\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"early\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"none\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.names()).containsExactly("early", "late", "none");
        }
    }

    @Test
    void refusesToReadATensorFromAFileTruncatedAfterOpening() throws Exception {
        // Touching a mapping past the end of the file raises SIGBUS inside native code: check, do not crash.
        Path file = header("{" + W + "}", 8);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(raf.length() - 4);
            }
            assertThatThrownBy(() -> read.raw("w"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("hostile.safetensors")
                    .hasMessageContaining("tensor 'w'")
                    .hasMessageContaining("changed after opening");
        }
    }

    @Test
    void dtypeParseNamesTheUnknownDtype() {
        assertThatThrownBy(() -> DType.parse("C64"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'C64'");
        assertThat(DType.parse("BF16")).isEqualTo(DType.BF16);
        assertThat(DType.BF16.headerName()).isEqualTo("BF16");
        assertThat(DType.I64.byteSize()).isEqualTo(8);
    }

    @Test
    void messagesAreSingleLine() {
        Path file = header("{\"w\": \n\n {", 0);
        assertOpenFails(file).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
