package dev.slicefine.engine.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * An image to pixel_values the way a Hugging Face image processor does it: RGB, resize with PIL's bilinear filter
 * (antialiased when shrinking, 8-bit rounding after each pass, as PIL works on 8-bit images), rescale, normalise.
 */
public final class ImagePreprocessor {
    private ImagePreprocessor() {}

    /** CHW float32 values, 3 x spec.height() x spec.width(); an image of the wrong size when doResize is off throws. */
    public static float[] pixels(BufferedImage image, ImageSpec spec) {
        float[][] rgb = rgb(image);
        int h = image.getHeight();
        int w = image.getWidth();
        if (h != spec.height() || w != spec.width()) {
            if (!spec.doResize()) {
                throw new IllegalArgumentException("image is " + w + "x" + h + " but the model takes "
                        + spec.width() + "x" + spec.height() + " and do_resize is off");
            }
            for (int c = 0; c < 3; c++) {
                rgb[c] = resize(rgb[c], h, w, spec.height(), spec.width());
            }
        }
        int plane = spec.height() * spec.width();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                double v = rgb[c][i];
                if (spec.doRescale()) {
                    v *= spec.rescaleFactor();
                }
                if (spec.doNormalize()) {
                    v = (v - spec.mean()[c]) / spec.std()[c];
                }
                out[c * plane + i] = (float) v;
            }
        }
        return out;
    }

    /**
     * Planes of 0..255 values. Grey images are read from the raster: Java's getRGB would push a grey PNG through a
     * linear grey colour space and brighten it, where PIL repeats the grey value in R, G and B. Alpha is dropped.
     */
    static float[][] rgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[][] out = new float[3][h * w];
        Raster raster = image.getRaster();
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2 && image.getColorModel().getPixelSize() <= 32
                && image.getColorModel().getNumComponents() <= 2 && !(image.getColorModel() instanceof java.awt.image.IndexColorModel);
        if (grey) {
            int bits = image.getColorModel().getComponentSize(0);
            double scale = 255.0 / ((1L << bits) - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = raster.getSample(x, y, 0);
                    float g = bits == 8 ? (float) v : (float) Math.floor(v * scale + 0.5);
                    out[0][y * w + x] = g;
                    out[1][y * w + x] = g;
                    out[2][y * w + x] = g;
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                out[0][y * w + x] = (argb >> 16) & 0xff;
                out[1][y * w + x] = (argb >> 8) & 0xff;
                out[2][y * w + x] = argb & 0xff;
            }
        }
        return out;
    }

    /** Separable resize: rows first, then columns, rounding to 0..255 after each pass. */
    static float[] resize(float[] plane, int h, int w, int outH, int outW) {
        float[] rows = new float[h * outW];
        Kernel kx = Kernel.of(w, outW);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                double acc = 0;
                for (int k = 0; k < kx.weights[x].length; k++) {
                    acc += kx.weights[x][k] * plane[y * w + kx.first[x] + k];
                }
                rows[y * outW + x] = round8(acc);
            }
        }
        float[] out = new float[outH * outW];
        Kernel ky = Kernel.of(h, outH);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                double acc = 0;
                for (int k = 0; k < ky.weights[y].length; k++) {
                    acc += ky.weights[y][k] * rows[(ky.first[y] + k) * outW + x];
                }
                out[y * outW + x] = round8(acc);
            }
        }
        return out;
    }

    private static float round8(double v) {
        return (float) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }

    /**
     * Triangle-filter weights for one axis: output pixel i is centred at (i + 0.5) * scale in input coordinates;
     * when shrinking (scale > 1) the triangle widens by scale so every input pixel contributes (antialiasing).
     */
    private record Kernel(int[] first, double[][] weights) {
        static Kernel of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int[] first = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(in, (int) Math.floor(center + support + 0.5));
                double[] w = new double[Math.max(hi - lo, 1)];
                double total = 0;
                for (int j = lo; j < hi; j++) {
                    double t = Math.abs((j + 0.5 - center) / filterScale);
                    w[j - lo] = Math.max(0, 1 - t);
                    total += w[j - lo];
                }
                if (total > 0) {
                    for (int k = 0; k < w.length; k++) {
                        w[k] /= total;
                    }
                } else {
                    w[0] = 1;
                }
                first[i] = Math.min(lo, in - 1);
                weights[i] = w;
            }
            return new Kernel(first, weights);
        }
    }
}
