package dev.slicefine.engine;

import ai.djl.ndarray.NDArray;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the fixtures copied from ../shared/fixtures into src/test/resources, and the optional shared folder. */
public final class Fixtures {
    private Fixtures() {}

    public static Path dir(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures").toURI()).resolve(relative);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shared folder beside the checkout (-Dslicefine.shared.dir), or null when absent. */
    public static Path shared() {
        String p = System.getProperty("slicefine.shared.dir");
        if (p == null) {
            return null;
        }
        Path dir = Path.of(p);
        return Files.isDirectory(dir) ? dir : null;
    }

    public static float maxAbsDiff(NDArray actual, NDArray expected) {
        if (!actual.getShape().equals(expected.getShape())) {
            throw new AssertionError("shape " + actual.getShape() + " differs from expected " + expected.getShape());
        }
        return actual.sub(expected).abs().max().getFloat();
    }
}
