package dev.slicefine.engine.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the bad fields of a config, the first error per field, in the order found; the bound checks here are the
 * only wording of "out of range", so every door (CLI, HTTP, worker) says it the same way.
 */
public final class ConfigErrors {
    private final Map<String, ConfigError> byField = new LinkedHashMap<>();

    public void add(String field, String code, String message) {
        byField.putIfAbsent(field, new ConfigError(field, code, message));
    }

    public void add(ConfigError e) {
        byField.putIfAbsent(e.field(), e);
    }

    public void addAll(List<ConfigError> errors) {
        errors.forEach(this::add);
    }

    public boolean has(String field) {
        return byField.containsKey(field);
    }

    public boolean isEmpty() {
        return byField.isEmpty();
    }

    public List<ConfigError> list() {
        return new ArrayList<>(byField.values());
    }

    /** Throws {@link InvalidConfigException} with every error collected, if any. */
    public void throwIfAny() {
        if (!byField.isEmpty()) {
            throw new InvalidConfigException(list());
        }
    }

    /** An integer in [min, max]. */
    public void between(String field, long value, long min, long max) {
        if (value < min || value > max) {
            add(field, ConfigError.OUT_OF_RANGE, max == Integer.MAX_VALUE || max == Long.MAX_VALUE
                    ? "must be at least " + min + ", got " + value
                    : "must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** A number in an interval; {@code openLow}/{@code openHigh} exclude the bound. */
    public void within(String field, double value, double low, boolean openLow, double high, boolean openHigh) {
        boolean ok = !Double.isNaN(value) && (openLow ? value > low : value >= low) && (openHigh ? value < high : value <= high);
        if (!ok) {
            add(field, ConfigError.OUT_OF_RANGE, "must be in " + (openLow ? "(" : "[") + num(low) + ", " + num(high)
                    + (openHigh ? ")" : "]") + ", got " + num(value));
        }
    }

    /** The words for a value outside a fixed set. */
    public static String unknownValue(String value, java.util.Collection<String> allowed) {
        return "unknown value '" + value + "' (one of " + String.join(", ", allowed) + ")";
    }

    static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
