package dev.slicefine.engine.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} / {@code --name=value} options of a bench subcommand; unknown options are usage errors. */
final class BenchArgs {
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    BenchArgs(String command, String[] argv, int from, Set<String> options, Set<String> flags) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                values.put(name, value == null ? "true" : value);
            } else if (options.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": option --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                values.put(name, value);
            } else {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    int positiveInt(String name, int fallback) {
        return intAtLeast(name, fallback, 1);
    }

    int intAtLeast(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
        if (n < min) {
            throw new UsageException(command + ": --" + name + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    double positiveDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d > 0)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a positive number, got '" + v + "'");
        }
    }

    double nonNegativeDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number >= 0, got '" + v + "'");
        }
    }

    /** A comma-separated list whose items must all be in {@code allowed}; duplicates are dropped, order kept. */
    List<String> list(String name, List<String> fallback, List<String> allowed) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            String t = s.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!allowed.contains(t)) {
                throw new UsageException(command + ": --" + name + ": unknown value '" + t + "' (one of " + String.join(", ", allowed) + ")");
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new UsageException(command + ": --" + name + " needs at least one value");
        }
        return out;
    }

    String choice(String name, String fallback, String... allowed) {
        String v = get(name, fallback);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }
}
