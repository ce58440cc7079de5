package dev.slicefine.engine.io;

/** The element types a safetensors header may name; the constant names are the header spellings. */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /** The spelling used in the header's {@code "dtype"} field. */
    public String headerName() {
        return name();
    }

    /**
     * Reads a header {@code "dtype"} value.
     *
     * @throws CheckpointException naming the value when it is not one of ours (e.g. F8_E4M3, U16, C64)
     */
    public static DType parse(String headerName) {
        if (headerName != null) {
            for (DType type : values()) {
                if (type.name().equals(headerName)) {
                    return type;
                }
            }
        }
        throw new CheckpointException("Unsupported safetensors dtype '" + headerName + "' (supported: "
                + java.util.Arrays.toString(values()) + ").");
    }
}
