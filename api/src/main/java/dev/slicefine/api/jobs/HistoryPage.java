package dev.slicefine.api.jobs;

import dev.slicefine.api.common.ApiException;
import java.util.List;
import java.util.function.ToLongFunction;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A page of events or metrics in order; pass {@code next_after} back as {@code after} (null: nothing more yet). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HistoryPage<T>(List<T> items, Long nextAfter) {

    /** The page size a {@code limit} parameter asks for: 100 when absent, 400 invalid_parameter outside 1..1000. */
    public static int limit(Integer requested) {
        if (requested == null) {
            return 100;
        }
        if (requested < 1 || requested > 1000) {
            throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and 1000");
        }
        return requested;
    }

    /** The items read after {@code after}; the next page starts after the last one's key (or where this one did). */
    public static <T> HistoryPage<T> after(List<T> items, Long after, ToLongFunction<T> key) {
        return new HistoryPage<>(items, items.isEmpty() ? after : Long.valueOf(key.applyAsLong(items.get(items.size() - 1))));
    }
}
