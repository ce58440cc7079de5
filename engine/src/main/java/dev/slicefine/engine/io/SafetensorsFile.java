package dev.slicefine.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, read lazily. {@link #open} reads and validates only the header; each {@link #load} or
 * {@link #raw} maps just that tensor's byte range, so files over 2 GiB work (a single tensor must stay under 2 GiB).
 * Thread-safe once open.
 */
public final class SafetensorsFile implements TensorSource {

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final List<String> names;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.names = List.copyOf(header.tensors().keySet()); // the header map is sorted
    }

    /**
     * Opens a file and validates its whole header.
     *
     * @throws CheckpointException naming the file and the problem, for a missing, unreadable or malformed file
     */
    public static SafetensorsFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new CheckpointException("Cannot open safetensors file " + file + ": it is a directory.");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("Cannot open safetensors file " + file + ": " + describe(e) + ".", e);
        }
        try {
            return new SafetensorsFile(file, channel, SafetensorsHeader.read(file, channel));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException("Cannot read safetensors file " + file + ": " + describe(e) + ".", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The file's {@code __metadata__} entry, empty when it has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The file this reads. */
    public Path file() {
        return file;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new CheckpointException("Safetensors file " + file + " has no tensor '" + name + "'.");
        }
        return info;
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        TensorInfo info = info(name);
        NDArray array = TensorDecoder.decode(file, info, map(info), manager);
        array.setName(name);
        return array;
    }

    @Override
    public ByteBuffer raw(String name) {
        return map(info(name));
    }

    @Override
    public Path fileOf(String name) {
        info(name);
        return file;
    }

    /** Closes the file; buffers returned by {@link #raw} stay readable until they are garbage collected. */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    private ByteBuffer map(TensorInfo info) {
        long length = info.end() - info.begin();
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(SafetensorsHeader.message(file, SafetensorsHeader.tensor(info.name())
                    + " is " + length + " bytes, over the 2 GiB a single tensor may have"));
        }
        long position = header.dataStart() + info.begin();
        try {
            // A file truncated since open would fault on access (a crash inside native code): check first.
            long size = channel.size();
            if (position + length > size) {
                throw new CheckpointException(SafetensorsHeader.message(file, SafetensorsHeader.tensor(info.name())
                        + " ends at byte " + (position + length) + " but the file now has only " + size
                        + " bytes (was it changed after opening?)"));
            }
            if (length == 0) {
                return ByteBuffer.allocate(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (ClosedChannelException e) {
            throw new CheckpointException("Safetensors file " + file + " is closed; cannot read tensor '"
                    + info.name() + "'.", e);
        } catch (IOException e) {
            throw new CheckpointException("Cannot read tensor '" + info.name() + "' from safetensors file " + file
                    + ": " + describe(e) + ".", e);
        }
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: we only ever read through it
        }
    }
}
