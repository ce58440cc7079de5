package dev.slicefine.engine.peft.lora;

import ai.djl.ndarray.NDArray;
import dev.slicefine.engine.nn.DenseLinear;
import dev.slicefine.engine.nn.Linear;
import dev.slicefine.engine.nn.Ops;

/** LoRA as PEFT defines it: y = x W^T + b + x A^T B^T * (alpha / r); W frozen, A (r x in), B (out x r). */
public final class LoraLinear implements Linear {
    private final Linear base;
    private final NDArray a;
    private final NDArray b;
    private final float scale;

    public LoraLinear(Linear base, NDArray a, NDArray b, double scale) {
        this.base = base;
        this.a = a;
        this.b = b;
        this.scale = (float) scale;
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base.forward(x);
        NDArray low = DenseLinear.linear(x, a, null);
        NDArray delta = DenseLinear.linear(low, b, null);
        return y.add(delta.mul(Ops.scalar(delta, scale)));
    }

    @Override
    public NDArray weight() {
        return base.weight();
    }

    @Override
    public NDArray bias() {
        return base.bias();
    }
}
