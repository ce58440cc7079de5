package dev.slicefine.bench;

import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.data.DatasetException;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.models.ConfigException;
import java.io.PrintStream;

/**
 * {@code ./slicefine bench step|quality}: the benchmarks live in their own jar, on the engine's public API, so the
 * engine's runtime jar (what the worker and the api ship) carries none of them. Exit 0 ok, 1 failed, 2 usage.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** {@code argv[0]} is "bench", as the launcher passes it. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        EngineRuntime.configure();
        try {
            return BenchCommand.run(argv, out, err);
        } catch (CheckpointException | ConfigException | DatasetException | IllegalArgumentException
                 | IllegalStateException e) {
            err.println("slicefine bench: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("slicefine bench: failed: " + e);
            return 1;
        }
    }
}
