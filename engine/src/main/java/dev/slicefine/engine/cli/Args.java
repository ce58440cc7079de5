package dev.slicefine.engine.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of one launcher command; unknown or missing options are usage errors. */
final class Args {
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String command, String[] argv, int from, Set<String> allowed, Set<String> flags) {
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

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v;
    }

    Path path(String name) {
        return Path.of(require(name));
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    int intValue(String name, int fallback) {
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

    double doubleValue(String name, double fallback) {
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

    boolean has(String name) {
        return values.containsKey(name);
    }
}
