package dev.slicefine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code slicefine bench <args>} in a fresh JVM with this JVM's classpath and flags (so each method's peak RSS is its
 * own), echoes the child's stdout lines to {@code echo} as they come, and returns the child's last JSON line.
 * The child's stderr goes to ours.
 */
final class ChildJvm {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exitCode, JsonNode json, double wallSeconds) {}

    private ChildJvm() {}

    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:") && !a.startsWith("-javaagent:")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchMain.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    static Result run(List<String> args, PrintStream echo) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        JsonNode last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (echo != null) {
                    echo.println("  | " + line);
                }
                if (line.startsWith("{")) {
                    try {
                        last = JSON.readTree(line);
                    } catch (IOException e) {
                        // not JSON after all
                    }
                }
            }
        }
        int code = p.waitFor();
        return new Result(code, last, (System.nanoTime() - t0) / 1e9);
    }
}
