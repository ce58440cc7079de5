package dev.slicefine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Medians, ratios and the plain-text table cells the bench prints; the process's peak RSS. */
final class Stats {
    private Stats() {}

    /** Median of the values (mean of the two middle ones for an even count); NaN when empty. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** "0.73 (target <= 0.80: met)"; "n/a" when either side is missing. */
    static String ratioLine(String label, double num, double den, double target) {
        if (!Double.isFinite(num) || !Double.isFinite(den) || den <= 0) {
            return String.format(Locale.ROOT, "%s = n/a (target <= %.2f: not measured)", label, target);
        }
        double r = num / den;
        return String.format(Locale.ROOT, "%s = %.3f (target <= %.2f: %s)", label, r, target, r <= target ? "met" : "NOT met");
    }

    static String ms(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "-";
    }

    static String mib(long kib) {
        return kib > 0 ? String.format(Locale.ROOT, "%.0f", kib / 1024.0) : "-";
    }

    static String count(long n) {
        return n >= 0 ? String.format(Locale.ROOT, "%,d", n) : "-";
    }

    /** Left-aligned first column, right-aligned others, widths from the content. */
    static String table(List<String> header, List<List<String>> rows) {
        int cols = header.size();
        int[] w = new int[cols];
        for (int c = 0; c < cols; c++) {
            w[c] = header.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, w);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < cols; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(w[c]));
        }
        sb.append(rule).append('\n');
        for (List<String> r : rows) {
            appendRow(sb, r, w);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        for (int c = 0; c < w.length; c++) {
            String s = cells.get(c);
            if (c == 0) {
                sb.append(s).append(" ".repeat(w[c] - s.length()));
            } else {
                sb.append("  ").append(" ".repeat(w[c] - s.length())).append(s);
            }
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    /** Peak resident set size of this process in KiB ({@code VmHWM} of /proc/self/status), or -1 where unavailable. */
    static long peakRssKib() {
        return procStatusKib("VmHWM:");
    }

    static long rssKib() {
        return procStatusKib("VmRSS:");
    }

    private static long procStatusKib(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (Exception e) {
            // not Linux: no /proc
        }
        return -1;
    }
}
