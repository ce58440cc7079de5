package dev.slicefine.api.storage;

import dev.slicefine.api.common.ApiException;
import org.springframework.http.HttpStatus;

/** The stream was longer than the limit; nothing was kept. */
public class BlobTooLargeException extends ApiException {
    public BlobTooLargeException(long limit) {
        super(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large", "The upload exceeds the limit of " + limit + " bytes");
    }
}
