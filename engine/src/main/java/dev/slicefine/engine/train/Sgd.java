package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/** Plain SGD: p -= lr * (g + weight_decay * p). */
public final class Sgd implements Optimizer {
    private final double weightDecay;

    public Sgd(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Param> params, double lr) {
        for (Param p : params) {
            NDArray w = p.array();
            try (NDArray g = w.getGradient()) {
                if (weightDecay != 0) {
                    try (NDArray decayed = w.mul((float) weightDecay); NDArray sum = g.add(decayed); NDArray upd = sum.mul((float) lr)) {
                        w.subi(upd);
                    }
                } else {
                    try (NDArray upd = g.mul((float) lr)) {
                        w.subi(upd);
                    }
                }
            }
        }
    }

    @Override
    public void reset(List<String> names) {}

    @Override
    public Map<String, Map<String, float[]>> state() {
        return Map.of();
    }

    @Override
    public void restore(Map<String, Map<String, float[]>> state, List<Param> params) {}

    @Override
    public void close() {}
}
