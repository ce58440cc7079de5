package dev.slicefine.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Writes safetensors files that PyTorch's safetensors reads. The header comes from the specs alone, then each tensor's
 * bytes are streamed in spec order, so a multi-gigabyte checkpoint never needs more than one tensor in memory. Writing
 * goes to a hidden temporary file in the target directory, which is synced and then atomically renamed: a crash or a
 * failed tensor never leaves a half-written file under the final name.
 */
public final class SafetensorsWriter {

    /** One tensor to write: its name, element type and shape (no negative dimensions; empty for a 0-d tensor). */
    public record Spec(String name, DType dtype, long[] shape) {

        public Spec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("Tensor '" + name + "' has a negative dimension in shape "
                            + Arrays.toString(shape) + ".");
                }
            }
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Bytes this tensor takes in the file. */
        public long byteLength() {
            long n = dtype.byteSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec other && name.equals(other.name) && dtype == other.dtype
                    && Arrays.equals(shape, other.shape);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape));
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    /**
     * Supplies one tensor's bytes, little-endian, by writing exactly {@link Spec#byteLength()} bytes to {@code out}
     * (called once per spec, in spec order). {@code out} must not be closed.
     */
    public interface BytesSource {
        void write(String name, WritableByteChannel out) throws IOException;
    }

    private SafetensorsWriter() {}

    /**
     * Streams a safetensors file.
     *
     * @param metadata the {@code __metadata__} entry; omitted from the file when null or empty
     * @throws CheckpointException when a tensor writes more or fewer bytes than its spec needs (no file is left)
     * @throws IllegalArgumentException for duplicate or reserved names
     */
    public static void write(Path file, List<Spec> specs, Map<String, String> metadata, BytesSource bytes)
            throws IOException {
        byte[] header = header(specs, metadata);
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        Path temp = directory.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(0, header.length);
                writeFully(channel, prefix);
                writeFully(channel, ByteBuffer.wrap(header));
                for (Spec spec : specs) {
                    CountingChannel out = new CountingChannel(channel, file, spec);
                    bytes.write(spec.name(), out);
                    out.finish();
                }
                channel.force(true);
            }
            moveIntoPlace(temp, target);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
        syncDirectory(directory);
    }

    /**
     * Writes NDArrays by name, in the map's iteration order. Supports FLOAT32, FLOAT64, FLOAT16, INT64, INT32, INT8,
     * UINT8 and BOOLEAN arrays; each is copied out of native memory only while it is being written.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<Spec> specs = new ArrayList<>(tensors.size());
        for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
            NDArray array = entry.getValue();
            specs.add(new Spec(entry.getKey(), dtypeOf(entry.getKey(), array.getDataType()),
                    array.getShape().getShape()));
        }
        write(file, specs, metadata, (name, out) -> {
            ByteBuffer data = tensors.get(name).toByteBuffer();
            while (data.hasRemaining()) {
                out.write(data);
            }
        });
    }

    static DType dtypeOf(String name, DataType type) {
        return switch (type) {
            case FLOAT32 -> DType.F32;
            case FLOAT64 -> DType.F64;
            case FLOAT16 -> DType.F16;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("Tensor '" + name + "' has data type " + type.name()
                    + ", which SafetensorsWriter cannot write from an NDArray.");
        };
    }

    /** The header JSON, padded with spaces so that the data section starts on an 8-byte boundary. */
    static byte[] header(List<Spec> specs, Map<String, String> metadata) {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            // sorted: a Map.of's iteration order changes from one JVM to the next, and the same tensors must give the
            // same bytes whichever process writes them
            for (Map.Entry<String, String> entry : metadata.entrySet()) {
                if (entry.getKey() == null || entry.getValue() == null) {
                    throw new IllegalArgumentException("Metadata keys and values must not be null: " + entry + ".");
                }
            }
            new TreeMap<>(metadata).forEach(meta::put);
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Spec spec : specs) {
            if (SafetensorsHeader.METADATA_KEY.equals(spec.name())) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor.");
            }
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("Tensor '" + spec.name() + "' is listed twice.");
            }
            long end = Math.addExact(offset, spec.byteLength());
            ObjectNode entry = root.putObject(spec.name());
            entry.put("dtype", spec.dtype().headerName());
            ArrayNode shape = entry.putArray("shape");
            for (long d : spec.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = SafetensorsHeader.JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("Could not serialise a safetensors header.", e);
        }
        int padded = (json.length + 7) / 8 * 8; // 8 (length prefix) + padded is a multiple of 8
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable; best effort, since not every platform can open a directory. */
    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the data itself is synced; only the rename might not survive a power cut
        }
    }

    /** The channel a BytesSource writes one tensor into: it stops a tensor at its length and never closes the file. */
    private static final class CountingChannel implements WritableByteChannel {
        private final FileChannel file;
        private final Path path;
        private final Spec spec;
        private final long expected;
        private long written;
        private boolean open = true;

        CountingChannel(FileChannel file, Path path, Spec spec) {
            this.file = file;
            this.path = path;
            this.spec = spec;
            this.expected = spec.byteLength();
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (written + src.remaining() > expected) {
                throw new CheckpointException("Cannot write safetensors file " + path + ": tensor '" + spec.name()
                        + "' (" + spec.dtype() + " " + Arrays.toString(spec.shape()) + ") needs " + expected
                        + " bytes but its source wrote more.");
            }
            int n = file.write(src);
            written += n;
            return n;
        }

        void finish() {
            open = false;
            if (written != expected) {
                throw new CheckpointException("Cannot write safetensors file " + path + ": tensor '" + spec.name()
                        + "' (" + spec.dtype() + " " + Arrays.toString(spec.shape()) + ") needs " + expected
                        + " bytes but its source wrote " + written + ".");
            }
        }

        @Override
        public boolean isOpen() {
            return open && file.isOpen();
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
