package dev.slicefine.api.jobs;

import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A page of events or metrics in order; pass {@code next_after} back as {@code after} (null: nothing more yet). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HistoryPage<T>(List<T> items, Long nextAfter) {}
