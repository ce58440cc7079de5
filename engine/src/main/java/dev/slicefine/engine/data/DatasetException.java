package dev.slicefine.engine.data;

/** A dataset that cannot be trained on; the report lists every issue (the first 100) with its line. */
public class DatasetException extends RuntimeException {
    private final ValidationReport report;

    public DatasetException(ValidationReport report) {
        super(summary(report));
        this.report = report;
    }

    public ValidationReport report() {
        return report;
    }

    private static String summary(ValidationReport r) {
        if (r.issueCount() == 0) {
            return "the dataset has no valid example";
        }
        StringBuilder sb = new StringBuilder(r.issueCount() + (r.issueCount() == 1 ? " issue" : " issues"));
        int shown = Math.min(5, r.issues().size());
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? ": " : "; ").append(r.issues().get(i));
        }
        if (r.issueCount() > shown) {
            sb.append("; …");
        }
        return sb.toString();
    }
}
