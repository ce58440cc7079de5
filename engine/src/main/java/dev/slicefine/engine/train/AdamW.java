package dev.slicefine.engine.train;

import dev.slicefine.engine.nn.Ops;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments, per-parameter step count).
 * Moments live in this optimizer's manager; {@link #reset} frees a parameter's moments (a new slice starts fresh).
 */
public final class AdamW implements Optimizer {
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Moments> moments = new HashMap<>();

    private static final class Moments {
        final NDManager m;
        final NDArray first;
        final NDArray second;
        int step;

        Moments(NDManager parent, NDArray like) {
            m = parent.newSubManager();
            first = m.zeros(like.getShape());
            second = m.zeros(like.getShape());
            // Created during a training step's NDScope, but they must outlive it.
            NDScope.unregister(first, second);
        }
    }

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Param> params, double lr) {
        for (Param p : params) {
            NDArray w = p.array();
            Moments s = moments.computeIfAbsent(p.name(), k -> new Moments(manager, w));
            s.step++;
            try (NDScope scope = new NDScope()) {
                NDArray g = w.getGradient();
                if (weightDecay != 0) {
                    w.muli((float) (1 - lr * weightDecay));
                }
                s.first.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                s.second.muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
                double bc1 = 1 - Math.pow(beta1, s.step);
                double bc2 = 1 - Math.pow(beta2, s.step);
                NDArray denom = s.second.sqrt().div((float) Math.sqrt(bc2)).add((float) eps);
                NDArray update = s.first.div(denom).mul((float) (lr / bc1));
                w.subi(update);
            }
        }
    }

    @Override
    public void reset(List<String> names) {
        for (String n : names) {
            Moments s = moments.remove(n);
            if (s != null) {
                s.m.close();
            }
        }
    }

    @Override
    public Map<String, Map<String, float[]>> state() {
        Map<String, Map<String, float[]>> out = new LinkedHashMap<>();
        for (var e : moments.entrySet()) {
            Map<String, float[]> st = new LinkedHashMap<>();
            st.put("exp_avg", e.getValue().first.toFloatArray());
            st.put("exp_avg_sq", e.getValue().second.toFloatArray());
            st.put("step", new float[] {e.getValue().step});
            out.put(e.getKey(), st);
        }
        return out;
    }

    @Override
    public void restore(Map<String, Map<String, float[]>> state, List<Param> params) {
        reset(List.copyOf(moments.keySet()));
        for (Param p : params) {
            Map<String, float[]> st = state.get(p.name());
            if (st == null) {
                continue;
            }
            Moments s = new Moments(manager, p.array());
            Ops.copyInto(s.first, st.get("exp_avg"));
            Ops.copyInto(s.second, st.get("exp_avg_sq"));
            s.step = (int) st.get("step")[0];
            moments.put(p.name(), s);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
