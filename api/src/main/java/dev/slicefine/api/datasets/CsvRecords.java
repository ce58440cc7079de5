package dev.slicefine.api.datasets;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 records (quoted fields may hold commas, quotes as "" and newlines), with the line each starts on. */
final class CsvRecords {
    record CsvRecord(long line, List<String> fields, String error) {}

    private final Reader in;
    private final int maxRecordChars;
    private long line = 1;
    private int pending = -2;

    CsvRecords(Reader in, int maxRecordChars) {
        this.in = in;
        this.maxRecordChars = maxRecordChars;
    }

    private int read() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    /** The next record, or null at the end. A record with {@code error} set was malformed and skipped. */
    CsvRecord next() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        long start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean afterQuote = false;
        int length = 0;
        String error = null;
        while (true) {
            if (c == -1) {
                if (quoted) {
                    error = "unterminated quoted field";
                }
                fields.add(field.toString());
                return new CsvRecord(start, fields, error);
            }
            if (++length > maxRecordChars && error == null) {
                error = "record longer than " + maxRecordChars + " characters";
            }
            if (quoted) {
                if (c == '"') {
                    int d = read();
                    if (d == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                        pending = d;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    if (error == null) {
                        field.append((char) c);
                    }
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterQuote = false;
            } else if (c == '\r') {
                // part of \r\n
            } else if (c == '\n') {
                line++;
                fields.add(field.toString());
                return new CsvRecord(start, fields, error);
            } else if (c == '"' && field.length() == 0 && !afterQuote) {
                quoted = true;
            } else {
                if (afterQuote && error == null) {
                    error = "characters after a closing quote";
                }
                if (error == null) {
                    field.append((char) c);
                }
            }
            c = read();
        }
    }
}
