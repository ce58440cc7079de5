package dev.slicefine.api.common;

import java.util.List;

/** One page of a list; pass {@code nextCursor} back as {@code cursor} to get the next one (null: last page). */
public record Page<T>(List<T> items, String nextCursor) {}
