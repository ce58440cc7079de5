package dev.slicefine.api.jobs;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Shape and range checks of the agreed job config (snake_case, absent = engine default), one error per field:
 * unknown fields, wrong types, unknown task/method, numbers out of range, webhook_url not http(s). What needs the
 * model's tensors (targets, rank against layer sizes) is checked by the worker's JobConfig against the model files;
 * these rules come first because they report every bad field where JobConfig's parser stops at the first.
 */
final class JobConfigRules {
    static final Set<String> TASKS = Set.of("text-classification", "causal-lm", "image-classification");
    static final Set<String> METHODS = Set.of("slicefine", "lora", "full", "head");
    static final Set<String> TOP = Set.of("task", "method", "validation_split", "slicefine", "lora", "train", "webhook_url");

    private final List<FieldError> errors = new ArrayList<>();

    private JobConfigRules() {}

    static List<FieldError> check(JsonNode config) {
        JobConfigRules r = new JobConfigRules();
        r.run(config);
        return r.errors;
    }

    private void run(JsonNode c) {
        unknown(c, "", TOP);
        string(c, "task", TASKS);
        string(c, "method", METHODS);
        number(c, "", "validation_split", 0, 0.9, false, true);
        if (present(c, "webhook_url")) {
            JsonNode w = c.get("webhook_url");
            if (!w.isString() || !httpUrl(w.asString())) {
                errors.add(new FieldError("webhook_url", "must be an absolute http:// or https:// URL"));
            }
        }
        JsonNode s = object(c, "slicefine");
        if (s != null) {
            unknown(s, "slicefine.", Set.of("rank", "modes", "move_steps", "position", "max_position", "learning_rate_decay",
                    "min_learning_rate", "tolerance", "rank_decay", "min_rank", "bias", "targets"));
            integer(s, "slicefine.", "rank", 1, 65536);
            strings(s, "slicefine.", "modes", Set.of("column", "row"), true);
            integer(s, "slicefine.", "move_steps", 1, Integer.MAX_VALUE);
            integer(s, "slicefine.", "position", 0, Integer.MAX_VALUE);
            integer(s, "slicefine.", "max_position", 0, Integer.MAX_VALUE);
            number(s, "slicefine.", "learning_rate_decay", 0, 1, true, false);
            number(s, "slicefine.", "min_learning_rate", 0, 1, false, false);
            integer(s, "slicefine.", "tolerance", 0, Integer.MAX_VALUE);
            number(s, "slicefine.", "rank_decay", 0, 1, true, false);
            integer(s, "slicefine.", "min_rank", 1, 65536);
            bool(s, "slicefine.", "bias");
            strings(s, "slicefine.", "targets", null, false);
        }
        JsonNode l = object(c, "lora");
        if (l != null) {
            unknown(l, "lora.", Set.of("r", "alpha", "dropout", "targets"));
            integer(l, "lora.", "r", 1, 65536);
            number(l, "lora.", "alpha", 0, 1e6, true, false);
            number(l, "lora.", "dropout", 0, 1, false, true);
            strings(l, "lora.", "targets", null, false);
        }
        JsonNode t = object(c, "train");
        if (t != null) {
            unknown(t, "train.", Set.of("optimizer", "learning_rate", "weight_decay", "lr_schedule", "warmup_steps", "epochs",
                    "max_steps", "batch_size", "max_seq_len", "grad_clip", "eval_every", "early_stopping",
                    "checkpoint_every", "log_every", "seed"));
            string(t, "train.optimizer", Set.of("adamw", "sgd"));
            number(t, "train.", "learning_rate", 0, 10, true, false);
            number(t, "train.", "weight_decay", 0, 10, false, false);
            string(t, "train.lr_schedule", Set.of("constant", "linear", "cosine"));
            integer(t, "train.", "warmup_steps", 0, 10_000_000);
            integer(t, "train.", "epochs", 1, 10_000);
            integer(t, "train.", "max_steps", 0, 100_000_000);
            integer(t, "train.", "batch_size", 1, 4096);
            integer(t, "train.", "max_seq_len", 2, 131072);
            number(t, "train.", "grad_clip", 0, 1e6, false, false);
            integer(t, "train.", "eval_every", 0, Integer.MAX_VALUE);
            integer(t, "train.", "early_stopping", 0, 100_000);
            integer(t, "train.", "checkpoint_every", 0, Integer.MAX_VALUE);
            integer(t, "train.", "log_every", 0, Integer.MAX_VALUE);
            if (present(t, "seed") && !t.get("seed").isIntegralNumber()) {
                errors.add(new FieldError("train.seed", "must be an integer"));
            }
        }
        JsonNode slice = c.get("slicefine");
        if (slice != null && slice.isObject() && slice.path("min_rank").isInt() && slice.path("rank").isInt()
                && slice.get("min_rank").asInt() > slice.get("rank").asInt() && !has("slicefine.min_rank")) {
            errors.add(new FieldError("slicefine.min_rank", "must not exceed slicefine.rank (" + slice.get("rank").asInt() + ")"));
        }
    }

    /** Whether an error is about the config (not model_id, dataset_id, name or priority). */
    static boolean isConfigField(String field) {
        String top = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        return TOP.contains(top) || field.isEmpty();
    }

    static boolean httpUrl(String s) {
        try {
            URI u = new URI(s);
            return (("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null && !u.getHost().isBlank());
        } catch (Exception e) {
            return false;
        }
    }

    private boolean has(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    private static boolean present(JsonNode o, String name) {
        return o.has(name) && !o.get(name).isNull();
    }

    private void unknown(JsonNode o, String prefix, Set<String> known) {
        for (String name : o.propertyNames()) {
            if (!known.contains(name)) {
                errors.add(new FieldError(prefix + name, "unknown field"));
            }
        }
    }

    private JsonNode object(JsonNode c, String name) {
        if (!present(c, name)) {
            return null;
        }
        if (!c.get(name).isObject()) {
            errors.add(new FieldError(name, "must be an object"));
            return null;
        }
        return c.get(name);
    }

    private void string(JsonNode o, String field, Set<String> allowed) {
        String name = field.substring(field.lastIndexOf('.') + 1);
        if (!present(o, name)) {
            return;
        }
        JsonNode v = o.get(name);
        if (!v.isString() || !allowed.contains(v.asString())) {
            errors.add(new FieldError(field, "unknown value " + v + "; one of " + String.join(", ", allowed.stream().sorted().toList())));
        }
    }

    private void integer(JsonNode o, String prefix, String name, long min, long max) {
        if (!present(o, name)) {
            return;
        }
        JsonNode v = o.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            errors.add(new FieldError(prefix + name, "must be an integer"));
        } else if (v.asLong() < min || v.asLong() > max) {
            errors.add(new FieldError(prefix + name, "must be between " + min + " and " + max + ", got " + v.asLong()));
        }
    }

    private void number(JsonNode o, String prefix, String name, double min, double max, boolean minExclusive, boolean maxExclusive) {
        if (!present(o, name)) {
            return;
        }
        JsonNode v = o.get(name);
        if (!v.isNumber()) {
            errors.add(new FieldError(prefix + name, "must be a number"));
            return;
        }
        double d = v.asDouble();
        boolean ok = (minExclusive ? d > min : d >= min) && (maxExclusive ? d < max : d <= max);
        if (!ok || Double.isNaN(d)) {
            errors.add(new FieldError(prefix + name, "must be in " + (minExclusive ? "(" : "[") + min + ", " + max
                    + (maxExclusive ? ")" : "]") + ", got " + v));
        }
    }

    private void bool(JsonNode o, String prefix, String name) {
        if (present(o, name) && !o.get(name).isBoolean()) {
            errors.add(new FieldError(prefix + name, "must be true or false"));
        }
    }

    private void strings(JsonNode o, String prefix, String name, Set<String> allowed, boolean nonEmpty) {
        if (!present(o, name)) {
            return;
        }
        JsonNode v = o.get(name);
        if (!v.isArray()) {
            errors.add(new FieldError(prefix + name, "must be an array of strings"));
            return;
        }
        if (nonEmpty && v.isEmpty()) {
            errors.add(new FieldError(prefix + name, "must not be empty"));
            return;
        }
        for (JsonNode e : v) {
            if (!e.isString() || e.asString().isBlank()) {
                errors.add(new FieldError(prefix + name, "must be an array of non-empty strings"));
                return;
            }
            if (allowed != null && !allowed.contains(e.asString())) {
                errors.add(new FieldError(prefix + name, "unknown value '" + e.asString() + "'; one of "
                        + String.join(", ", allowed.stream().sorted().toList())));
                return;
            }
        }
    }

    /** Keeps the first error per field, in order. */
    static List<FieldError> onePerField(List<FieldError> errors) {
        Map<String, FieldError> first = new LinkedHashMap<>();
        errors.forEach(e -> first.putIfAbsent(e.field(), e));
        return List.copyOf(first.values());
    }
}
