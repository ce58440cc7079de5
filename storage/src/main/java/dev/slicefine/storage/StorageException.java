package dev.slicefine.storage;

/**
 * A storage failure a caller may want to report rather than log: a stable machine-readable {@link #code()} and a
 * human sentence. The api maps {@link #kind()} to an HTTP status; the worker turns it into a job error.
 */
public class StorageException extends RuntimeException {
    public enum Kind { TOO_LARGE, INSUFFICIENT_STORAGE }

    private final Kind kind;
    private final String code;

    public StorageException(Kind kind, String code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() { return kind; }
    public String code() { return code; }

    public static StorageException insufficientStorage() {
        return new StorageException(Kind.INSUFFICIENT_STORAGE, "insufficient_storage",
                "The server has no space left for this upload");
    }
}
