package dev.slicefine.api.datasets;

import java.util.List;
import java.util.Map;

/**
 * The result of validating a dataset. {@code errors} keeps the first problems with their line numbers;
 * {@code errorCount} counts them all. Token-length percentiles are not computed yet.
 */
public record DatasetReport(
        DatasetFormat format,
        long rows,
        long validRows,
        long invalidRows,
        long blankLines,
        List<String> columns,
        String labelType,
        Map<String, Long> labelDistribution,
        long errorCount,
        boolean errorsTruncated,
        List<DatasetError> errors) {

    public boolean valid() {
        return errorCount == 0 && validRows > 0;
    }
}
