package dev.slicefine.engine.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How images become pixel_values, as a Hugging Face image processor does it: resize to height x width (bilinear),
 * multiply by rescaleFactor, then (x - mean) / std per channel. Output is RGB, CHW, float32.
 */
public record ImageSpec(
        int height,
        int width,
        boolean doResize,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] mean,
        float[] std) {

    public static final String PREPROCESSOR_CONFIG = "preprocessor_config.json";

    public ImageSpec {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image mean and std need 3 values (RGB)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("image std must be positive, got " + s);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The ViTImageProcessor defaults: resize, rescale by 1/255, normalise with mean = std = 0.5. */
    public static ImageSpec vitDefaults(int imageSize) {
        return new ImageSpec(imageSize, imageSize, true, true, 1.0 / 255, true,
                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /**
     * The model folder's preprocessor_config.json over {@link #vitDefaults}; without that file, the defaults at the
     * model's image_size. size may be {height, width}, {shortest_edge} (taken as a square) or a plain integer.
     */
    public static ImageSpec forModel(Path modelDir, int imageSize) {
        Path file = modelDir.resolve(PREPROCESSOR_CONFIG);
        ImageSpec d = vitDefaults(imageSize);
        if (!Files.isRegularFile(file)) {
            return d;
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": not a JSON object");
        }
        int h = d.height;
        int w = d.width;
        JsonNode size = root.get("size");
        if (size != null && size.isIntegralNumber()) {
            h = w = size.intValue();
        } else if (size != null && size.isObject()) {
            if (size.has("height") && size.has("width")) {
                h = size.get("height").intValue();
                w = size.get("width").intValue();
            } else if (size.has("shortest_edge")) {
                h = w = size.get("shortest_edge").intValue();
            }
        }
        return new ImageSpec(h, w,
                bool(root, "do_resize", d.doResize), bool(root, "do_rescale", d.doRescale),
                root.has("rescale_factor") ? root.get("rescale_factor").doubleValue() : d.rescaleFactor,
                bool(root, "do_normalize", d.doNormalize),
                triple(root, "image_mean", d.mean, file), triple(root, "image_std", d.std, file));
    }

    private static boolean bool(JsonNode root, String field, boolean fallback) {
        JsonNode n = root.get(field);
        return n != null && n.isBoolean() ? n.booleanValue() : fallback;
    }

    private static float[] triple(JsonNode root, String field, float[] fallback, Path file) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.isNumber()) {
            float v = n.floatValue();
            return new float[] {v, v, v};
        }
        if (!n.isArray() || n.size() != 3) {
            throw new IllegalArgumentException(file + ": " + field + " must be a number or 3 numbers, got " + n);
        }
        return new float[] {n.get(0).floatValue(), n.get(1).floatValue(), n.get(2).floatValue()};
    }
}
