package dev.slicefine.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * JSON as the Hugging Face libraries write config.json and adapter_config.json: Python's
 * {@code json.dumps(obj, indent=2, sort_keys=True)} (ASCII only, Python's float repr) plus a newline. Sorted keys and
 * one float format make the same content the same bytes, whichever process writes it.
 */
public final class HfJson {
    private HfJson() {}

    public static String format(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, 0, out);
        return out.append('\n').toString();
    }

    /** Writes to a temporary name beside {@code file}, then renames it into place. */
    public static void write(Path file, JsonNode node) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, format(node), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(JsonNode n, int depth, StringBuilder out) {
        if (n.isObject()) {
            if (n.isEmpty()) {
                out.append("{}");
                return;
            }
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            Collections.sort(keys);
            out.append("{\n");
            for (int i = 0; i < keys.size(); i++) {
                indent(depth + 1, out);
                string(keys.get(i), out);
                out.append(": ");
                write(n.get(keys.get(i)), depth + 1, out);
                out.append(i + 1 < keys.size() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append('}');
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            for (int i = 0; i < n.size(); i++) {
                indent(depth + 1, out);
                write(n.get(i), depth + 1, out);
                out.append(i + 1 < n.size() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), out);
        } else if (n.isIntegralNumber()) {
            out.append(n.bigIntegerValue());
        } else if (n.isNumber()) {
            out.append(pythonFloat(n.doubleValue()));
        } else if (n.isBoolean()) {
            out.append(n.booleanValue() ? "true" : "false");
        } else {
            out.append("null");
        }
    }

    /** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = b.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - b.scale(); // d = 0.digits... * 10^(exp+1)
        String sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        String plain = b.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void indent(int depth, StringBuilder out) {
        out.append("  ".repeat(depth));
    }
}
