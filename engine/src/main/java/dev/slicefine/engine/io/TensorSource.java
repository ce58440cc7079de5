package dev.slicefine.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Named tensors of a checkpoint, read lazily: nothing but the header is read until a tensor is asked for.
 * Implementations: {@link SafetensorsFile} (one file) and {@link ShardedSafetensors} (an index over several).
 */
public interface TensorSource extends AutoCloseable {

    /** Every tensor name, sorted. */
    List<String> names();

    boolean contains(String name);

    /** @throws CheckpointException naming the tensor if it is absent */
    TensorInfo info(String name);

    /**
     * Reads one tensor into {@code manager} (the caller owns the result). F32, F16, BF16 and F64 become FLOAT32;
     * I64 becomes INT64; I32, I16, I8 and U8 become INT32; BOOL becomes BOOLEAN. The shape is the file's shape; a 0-d
     * tensor has {@code new Shape()}. The result owns its memory: it never aliases the file.
     */
    NDArray load(String name, NDManager manager);

    /** A read-only little-endian view of the tensor's bytes exactly as stored, for byte-identical copies. */
    ByteBuffer raw(String name);

    /** The file that holds the tensor. */
    Path fileOf(String name);

    @Override
    void close();
}
