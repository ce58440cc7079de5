package dev.slicefine.engine.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} / {@code --name=value} options of one launcher command; unknown or missing options are usage errors. */
public final class Args {
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String command, String[] argv, int from, Set<String> allowed, Set<String> flags) {
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
            if (!allowed.contains(name) && !flags.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name + " (options: --" + String.join(", --", allowed)
                        + (flags.isEmpty() ? "" : ", --" + String.join(", --", flags)) + ")");
            }
            if (flags.contains(name)) {
                values.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new UsageException(command + ": option --" + name + " needs a value");
                }
                value = argv[++i];
            }
            values.put(name, value);
        }
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v;
    }

    public Path path(String name) {
        return Path.of(require(name));
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    public int intValue(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
    }

    public double doubleValue(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
        }
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public int positiveInt(String name, int fallback) {
        return intAtLeast(name, fallback, 1);
    }

    public int intAtLeast(String name, int fallback, int min) {
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

    public double positiveDouble(String name, double fallback) {
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

    public double nonNegativeDouble(String name, double fallback) {
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
    public List<String> list(String name, List<String> fallback, List<String> allowed) {
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

    public String choice(String name, String fallback, String... allowed) {
        String v = get(name, fallback);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }
}
