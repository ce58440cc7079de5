package dev.slicefine.engine.data;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads a text file one line (or one CSV record) at a time with a cap on its length, so a corrupt or hostile file
 * (a 1 GB line, an unterminated quote) is an issue, never an OutOfMemoryError. Lines end at \n, \r\n or \r.
 */
final class TextLines {
    static final int MAX_LINE_CHARS = 16 * 1024 * 1024;

    private final Reader in;
    private int peeked = -2;
    private int line;

    TextLines(Reader in) {
        this.in = in;
    }

    /** A line (null at the end of the file); tooLong lines come back empty, with the rest of the line skipped. */
    record Line(int number, String text, boolean tooLong) {}

    /** A CSV record: the line it starts on, its fields, or an error (then fields are whatever was read). */
    record Row(int line, java.util.List<String> fields, String error, boolean blank) {}

    Line readLine() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        line++;
        StringBuilder sb = new StringBuilder();
        boolean tooLong = false;
        while (c != -1 && c != '\n' && c != '\r') {
            if (sb.length() < MAX_LINE_CHARS) {
                sb.append((char) c);
            } else {
                tooLong = true;
            }
            c = read();
        }
        endOfLine(c);
        return new Line(line, tooLong ? "" : sb.toString(), tooLong);
    }

    /** RFC 4180: fields separated by commas, optionally in double quotes, "" inside quotes for a quote. */
    Row readRow() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        int start = ++line;
        java.util.List<String> fields = new java.util.ArrayList<>();
        StringBuilder field = new StringBuilder();
        int chars = 0;
        boolean quoted = false;
        boolean afterQuote = false;
        boolean fieldStart = true;
        String error = null;
        while (true) {
            if (c == -1 && quoted) {
                fields.add(field.toString());
                return new Row(start, fields, "unterminated quoted field (the quote opens on line " + start + " or later)", false);
            }
            if (!quoted && (c == -1 || c == '\n' || c == '\r')) {
                endOfLine(c);
                fields.add(field.toString());
                boolean blank = fields.size() == 1 && chars == 0;
                return new Row(start, fields, error, blank);
            }
            if (++chars > MAX_LINE_CHARS) {
                return new Row(start, fields, "record longer than " + MAX_LINE_CHARS + " characters (an unterminated quote?)", false);
            }
            if (quoted) {
                if (c == '"') {
                    int n = read();
                    if (n == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                        peeked = n;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && peek() != '\n')) {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterQuote = false;
                fieldStart = true;
            } else if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
            } else {
                if (afterQuote && error == null) {
                    error = "unexpected character '" + (char) c + "' after a closing quote (a quote inside a quoted field is written \"\")";
                }
                field.append((char) c);
                fieldStart = false;
            }
            c = read();
        }
    }

    private void endOfLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }

    private int read() throws IOException {
        if (peeked != -2) {
            int c = peeked;
            peeked = -2;
            return c;
        }
        return in.read();
    }
}
