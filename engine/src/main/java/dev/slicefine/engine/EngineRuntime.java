package dev.slicefine.engine;

/**
 * Process-wide DJL settings, applied before the first DJL call by every entry point (launcher, api, worker):
 * offline (nothing is ever downloaded at run time; the native jar is on the classpath), one inter-op thread.
 */
public final class EngineRuntime {
    private EngineRuntime() {}

    public static void configure() {
        System.setProperty("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        // The graph executor optimiser recompiles on new shapes; training sees many shapes and gains nothing from it.
        setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
