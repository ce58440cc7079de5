package dev.slicefine.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;

/** The few tensor functions the model families share, each one libtorch op where possible. */
public final class Ops {
    private Ops() {}

    /**
     * A 0-d tensor in libtorch's own memory. DJL's scalar overloads ({@code x.mul(0.5f)}) wrap a Java direct buffer
     * and close it right after the op; autograd keeps that tensor for the backward pass, so the backward can read
     * memory the JVM has already freed (seen here as rare NaN gradients). Every scalar in a differentiable path must
     * come from here.
     */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /**
     * Runs one block (a transformer layer) in its own NDScope and keeps only its result: the block's temporaries are
     * freed as soon as it ends instead of at the end of the whole forward pass. Autograd keeps its own references to
     * what the backward pass needs, so this is safe while training too.
     */
    public static NDArray scoped(java.util.function.Supplier<NDArray> block) {
        NDArray out;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            out = block.get();
            ai.djl.ndarray.NDScope.unregister(out);
        }
        ai.djl.ndarray.NDScope.register(out);
        return out;
    }

    /** Copies host values into an existing tensor (NDArray.set(Buffer) would make it point at Java memory). */
    public static void copyInto(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException("expected " + target.size() + " values for " + target.getShape() + ", got " + values.length);
        }
        try (NDArray src = target.getManager().create(values, target.getShape()); NDArray owned = src.duplicate()) {
            target.set(new ai.djl.ndarray.index.NDIndex("..."), owned);
        }
    }

    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().tail()), gamma, beta, (float) eps).singletonOrThrow();
    }

    /** LLaMA RMSNorm: x * rsqrt(mean(x^2) + eps) * weight. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(scalar(variance, (float) eps)).sqrt()).mul(weight);
    }

    public static NDArray activation(String name, NDArray x) {
        return switch (name) {
            case "gelu" -> Activation.gelu(x);
            case "relu" -> Activation.relu(x);
            case "silu" -> silu(x);
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(x);
            default -> throw new IllegalArgumentException("unsupported activation " + name);
        };
    }

    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    private static NDArray geluTanh(NDArray x) {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        NDArray cube = x.mul(x).mul(x);
        NDArray inner = x.add(cube.mul(scalar(x, 0.044715f))).mul(scalar(x, (float) Math.sqrt(2.0 / Math.PI)));
        return x.mul(scalar(x, 0.5f)).mul(inner.tanh().add(scalar(x, 1f)));
    }

    public static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return Dropout.dropout(x, (float) rate, true).singletonOrThrow();
    }

    /**
     * Scaled dot-product attention: softmax((q sqrt(scale)) (k sqrt(scale))^T + mask) v.
     * q (B, H, S, D), k and v (B, H, T, D), additiveMask broadcastable to (B, H, S, T) or null.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray additiveMask, double scale,
                                    double dropout, boolean training) {
        // Scale q and k by sqrt(scale) before the product, as torch's scaled_dot_product_attention does: the
        // reference runs match it to a few ulps, where scaling the product drifts 10x further over a training run.
        float sq = (float) Math.sqrt(scale);
        NDArray s = scalar(q, sq);
        NDArray scores = q.mul(s).matMul(k.mul(s).transpose(0, 1, 3, 2));
        if (additiveMask != null) {
            scores = scores.add(additiveMask);
        }
        NDArray probs = dropout(scores.softmax(-1), dropout, training);
        return probs.matMul(v);
    }

    /** (B, T) 1/0 mask -> (B, 1, 1, T) additive mask with float32 min where masked, as transformers builds it. */
    public static NDArray paddingMask(NDArray attentionMask) {
        NDArray keep = attentionMask.toType(DataType.FLOAT32, false);
        NDArray masked = keep.neg().add(1f).mul(-Float.MAX_VALUE);
        long b = attentionMask.getShape().get(0);
        long t = attentionMask.getShape().get(1);
        return masked.reshape(b, 1, 1, t);
    }

    /** (B, S, H*D) -> (B, H, S, D). */
    public static NDArray splitHeads(NDArray x, int heads, int headDim) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }

    /** (B, H, S, D) -> (B, S, H*D). */
    public static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}
