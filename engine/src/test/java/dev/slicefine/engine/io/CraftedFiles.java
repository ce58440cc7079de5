package dev.slicefine.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors files, byte by byte, for cases our own writer would never produce. */
final class CraftedFiles {

    private CraftedFiles() {}

    /** A file with the given header JSON (its true length in the prefix) followed by {@code data}. */
    static Path withHeader(Path file, String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return withHeaderLength(file, header.length, concat(header, data));
    }

    /** A file with the given header JSON followed by {@code dataLength} zero bytes. */
    static Path withHeader(Path file, String headerJson, int dataLength) {
        return withHeader(file, headerJson, new byte[dataLength]);
    }

    /** A file whose 8-byte prefix claims {@code headerLength}, followed by {@code rest} as is. */
    static Path withHeaderLength(Path file, long headerLength, byte[] rest) {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLength);
        return bytes(file, concat(prefix.array(), rest));
    }

    static Path bytes(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Little-endian 16-bit patterns, as a BF16 or F16 data section holds them. */
    static byte[] shorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buffer.putShort((short) v);
        }
        return buffer.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
