package dev.slicefine.engine.train;

import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients (called with gradient recording off). State is per parameter
 * name, so a method can reset one parameter's state (a new slice) without touching the others.
 */
public interface Optimizer extends AutoCloseable {
    void step(List<Param> params, double lr);

    /** Forgets the state of these parameters (Adam moments and step count start fresh). */
    void reset(List<String> names);

    /** Host copy of the state, for checkpoints: name -> (state key -> values); counters as one-element arrays. */
    Map<String, Map<String, float[]>> state();

    void restore(Map<String, Map<String, float[]>> state, List<Param> params);

    @Override
    void close();
}
