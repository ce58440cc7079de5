package dev.slicefine.worker.jobs;

/** A job config that cannot even be parsed (malformed JSON, an unknown field, a wrong type). */
public class JobConfigException extends IllegalArgumentException {
    private final FieldError error;

    public JobConfigException(FieldError error) {
        super((error.field().isEmpty() ? "" : error.field() + ": ") + error.message());
        this.error = error;
    }

    public FieldError error() { return error; }
}
