package dev.slicefine.storage;

/** The stream was longer than the limit; nothing was kept. */
public class BlobTooLargeException extends StorageException {
    private final long limit;

    public BlobTooLargeException(long limit) {
        super(Kind.TOO_LARGE, "payload_too_large", "The upload exceeds the limit of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() { return limit; }
}
