package dev.slicefine.engine.peft.slice;

import java.util.Locale;

/** Which part of W a slice covers: r rows (output channels) or r columns (input features). */
public enum SliceMode {
    ROW, COLUMN;

    public static SliceMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "row", "rows" -> ROW;
            case "column", "col", "columns" -> COLUMN;
            default -> throw new IllegalArgumentException("unknown slice mode '" + s + "' (row, column)");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
