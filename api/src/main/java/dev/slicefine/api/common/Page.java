package dev.slicefine.api.common;

import java.util.List;
import java.util.function.Function;

/** One page of a list; pass {@code nextCursor} back as {@code cursor} to get the next one (null: last page). */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * A page from rows fetched with {@code size + 1}: the extra row is not shown, it only says a next page exists,
     * whose cursor is the last shown row's position.
     */
    public static <R, T> Page<T> of(List<R> rows, int size, Function<R, Cursor> positionOf, Function<R, T> view) {
        String next = null;
        List<R> shown = rows;
        if (rows.size() > size) {
            shown = rows.subList(0, size);
            next = positionOf.apply(shown.get(size - 1)).encode();
        }
        return new Page<>(shown.stream().map(view).toList(), next);
    }
}
