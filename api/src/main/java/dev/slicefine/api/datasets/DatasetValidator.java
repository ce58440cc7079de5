package dev.slicefine.api.datasets;

import dev.slicefine.api.files.SafePaths;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a dataset once, in constant memory, and reports every bad row by line number: invalid JSON, a missing or
 * empty field, a label of the wrong type, plus counts and the label distribution.
 */
public final class DatasetValidator {
    static final int MAX_LINE_BYTES = 1024 * 1024;
    static final int MAX_LABELS = 10_000;

    private final JsonMapper json;
    private final int maxReportedErrors;

    public DatasetValidator(JsonMapper json, int maxReportedErrors) {
        this.json = json;
        this.maxReportedErrors = maxReportedErrors;
    }

    /** Accumulates counts and errors for one dataset. */
    private final class Tally {
        final DatasetFormat format;
        long rows;
        long valid;
        long blank;
        long errorCount;
        String labelType;
        List<String> columns;
        final Map<String, Long> labels = new TreeMap<>();
        final List<DatasetError> errors = new ArrayList<>();
        boolean tooManyLabels;

        Tally(DatasetFormat format) {
            this.format = format;
        }

        void error(Long line, String entry, String code, String message) {
            errorCount++;
            if (errors.size() < maxReportedErrors) {
                errors.add(new DatasetError(line, entry, code, message));
            }
        }

        /** Counts a row whose text and label passed; label type must stay the same across rows. */
        boolean label(long line, String entry, String label, String type) {
            if (labelType == null) {
                labelType = type;
            } else if (!labelType.equals(type)) {
                error(line == 0 ? null : line, entry, "inconsistent_label_type",
                        "label is " + type + " but earlier labels are " + labelType);
                return false;
            }
            if (labels.containsKey(label) || labels.size() < MAX_LABELS) {
                labels.merge(label, 1L, Long::sum);
            } else if (!tooManyLabels) {
                tooManyLabels = true;
                error(line == 0 ? null : line, entry, "too_many_labels", "more than " + MAX_LABELS + " distinct labels");
            }
            return true;
        }

        DatasetReport report() {
            if (rows == 0 && errorCount == 0) {
                error(null, null, "empty_dataset", "the dataset has no rows");
            }
            return new DatasetReport(format, rows, valid, rows - valid, blank, columns, labelType,
                    Collections.unmodifiableMap(labels), errorCount, errorCount > errors.size(), List.copyOf(errors));
        }
    }

    public DatasetReport jsonl(InputStream in, String textField, String labelField) throws IOException {
        Tally tally = new Tally(DatasetFormat.jsonl);
        byte[] buffer = new byte[256 * 1024];
        ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
        boolean tooLong = false;
        long lineNo = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    tooLong = append(line, buffer, from, i - from, tooLong);
                    checkLine(tally, ++lineNo, line, tooLong, textField, labelField);
                    line.reset();
                    tooLong = false;
                    from = i + 1;
                }
            }
            tooLong = append(line, buffer, from, n - from, tooLong);
        }
        if (line.size() > 0 || tooLong) {
            checkLine(tally, ++lineNo, line, tooLong, textField, labelField);
        }
        return tally.report();
    }

    /** Keeps at most MAX_LINE_BYTES of a line; returns whether the line is too long. */
    private static boolean append(ByteArrayOutputStream line, byte[] bytes, int from, int length, boolean tooLong) {
        int room = MAX_LINE_BYTES - line.size();
        if (length > room) {
            line.write(bytes, from, Math.max(room, 0));
            return true;
        }
        line.write(bytes, from, length);
        return tooLong;
    }

    private void checkLine(Tally tally, long line, ByteArrayOutputStream buffer, boolean tooLong, String textField,
                           String labelField) {
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        if (tooLong) {
            tally.rows++;
            tally.error(line, null, "line_too_long", "line is longer than " + MAX_LINE_BYTES + " bytes");
        } else if (isBlank(bytes, length)) {
            tally.blank++;
        } else {
            tally.rows++;
            checkJsonRow(tally, line, bytes, length, textField, labelField);
        }
    }

    private void checkJsonRow(Tally tally, long line, byte[] bytes, int length, String textField, String labelField) {
        JsonNode row;
        try {
            row = json.readTree(bytes, 0, length);
        } catch (JacksonException e) {
            String why = e.getOriginalMessage();
            tally.error(line, null, "invalid_json", "not valid JSON: " + (why.length() > 160 ? why.substring(0, 160) + "..." : why));
            return;
        }
        if (row == null || !row.isObject()) {
            tally.error(line, null, "not_an_object", "expected a JSON object");
            return;
        }
        JsonNode value = row.get(textField);
        if (value == null || value.isNull()) {
            tally.error(line, null, "missing_field", "field '" + textField + "' is missing");
            return;
        }
        if (!value.isString()) {
            tally.error(line, null, "wrong_type", "field '" + textField + "' must be a string");
            return;
        }
        if (value.asString().isBlank()) {
            tally.error(line, null, "empty_field", "field '" + textField + "' is empty");
            return;
        }
        JsonNode label = row.get(labelField);
        if (label == null || label.isNull()) {
            tally.error(line, null, "missing_field", "field '" + labelField + "' is missing");
            return;
        }
        String labelText;
        String type;
        if (label.isString()) {
            labelText = label.asString();
            type = "string";
            if (labelText.isBlank()) {
                tally.error(line, null, "empty_field", "field '" + labelField + "' is empty");
                return;
            }
        } else if (label.isIntegralNumber()) {
            labelText = label.asString();
            type = "integer";
        } else {
            tally.error(line, null, "invalid_label_type",
                    "field '" + labelField + "' must be a string or an integer, not " + label.getNodeType().name().toLowerCase(Locale.ROOT));
            return;
        }
        if (tally.label(line, null, labelText, type)) {
            tally.valid++;
        }
    }

    public DatasetReport csv(InputStream raw, String textField, String labelField) throws IOException {
        Tally tally = new Tally(DatasetFormat.csv);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try (Reader reader = new InputStreamReader(new BufferedInputStream(raw, 256 * 1024), decoder)) {
            CsvRecords records = new CsvRecords(reader, MAX_LINE_BYTES);
            CsvRecords.CsvRecord header = records.next();
            if (header == null) {
                return tally.report();
            }
            List<String> columns = header.fields().stream().map(s -> s.strip().replace("\uFEFF", "")).toList();
            tally.columns = columns;
            int textColumn = columns.indexOf(textField);
            int labelColumn = columns.indexOf(labelField);
            if (textColumn < 0 || labelColumn < 0) {
                tally.error(1L, null, "missing_column", "the header has no column '" + (textColumn < 0 ? textField : labelField)
                        + "' (columns: " + String.join(", ", columns) + ")");
                return tally.report();
            }
            CsvRecords.CsvRecord record;
            while ((record = records.next()) != null) {
                if (record.fields().size() == 1 && record.fields().get(0).isBlank() && record.error() == null) {
                    tally.blank++;
                    continue;
                }
                tally.rows++;
                if (record.error() != null) {
                    tally.error(record.line(), null, "malformed_record", record.error());
                } else if (record.fields().size() != columns.size()) {
                    tally.error(record.line(), null, "wrong_field_count",
                            "expected " + columns.size() + " fields, found " + record.fields().size());
                } else if (record.fields().get(textColumn).isBlank()) {
                    tally.error(record.line(), null, "empty_field", "field '" + textField + "' is empty");
                } else if (record.fields().get(labelColumn).isBlank()) {
                    tally.error(record.line(), null, "empty_field", "field '" + labelField + "' is empty");
                } else if (tally.label(record.line(), null, record.fields().get(labelColumn).strip(), "string")) {
                    tally.valid++;
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            tally.error(null, null, "invalid_utf8", "the file is not valid UTF-8");
        }
        return tally.report();
    }

    /** A zip of {@code label/image.png|jpg} (optionally inside one top folder); images are checked by their magic bytes. */
    public DatasetReport imageFolder(Path zipFile) throws IOException {
        Tally tally = new Tally(DatasetFormat.imagefolder);
        try (ZipFile zip = ZipFile.builder().setPath(zipFile).get()) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            for (ZipArchiveEntry e : Collections.list(zip.getEntriesInPhysicalOrder())) {
                if (!e.isDirectory() && !SafePaths.isOsClutter(SafePaths.relative(e.getName()))) {
                    entries.add(e);
                }
            }
            String root = commonRoot(entries);
            for (ZipArchiveEntry entry : entries) {
                String path = SafePaths.relative(entry.getName()).substring(root.length());
                tally.rows++;
                String[] parts = path.split("/");
                if (parts.length != 2) {
                    tally.error(null, entry.getName(), "unexpected_entry", "expected label/image.png|jpg");
                    continue;
                }
                String lower = parts[1].toLowerCase(Locale.ROOT);
                if (!(lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg"))) {
                    tally.error(null, entry.getName(), "unsupported_image", "only .png, .jpg and .jpeg images are read");
                    continue;
                }
                byte[] head;
                try (InputStream in = zip.getInputStream(entry)) {
                    head = in.readNBytes(8);
                }
                if (!isPng(head) && !isJpeg(head)) {
                    tally.error(null, entry.getName(), "invalid_image", "not a PNG or JPEG image");
                    continue;
                }
                if (tally.label(0, entry.getName(), parts[0], "string")) {
                    tally.valid++;
                }
            }
        }
        return tally.report();
    }

    private static String commonRoot(List<ZipArchiveEntry> entries) {
        if (entries.isEmpty()) {
            return "";
        }
        String first = SafePaths.relative(entries.get(0).getName());
        int slash = first.indexOf('/');
        if (slash < 0) {
            return "";
        }
        String root = first.substring(0, slash + 1);
        boolean allUnder = entries.stream().allMatch(e -> SafePaths.relative(e.getName()).startsWith(root));
        boolean nested = entries.stream().anyMatch(e -> SafePaths.relative(e.getName()).substring(root.length()).contains("/"));
        return allUnder && nested ? root : "";
    }

    private static boolean isPng(byte[] h) {
        return h.length >= 8 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G';
    }

    private static boolean isJpeg(byte[] h) {
        return h.length >= 3 && (h[0] & 0xff) == 0xFF && (h[1] & 0xff) == 0xD8 && (h[2] & 0xff) == 0xFF;
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
