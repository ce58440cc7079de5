package dev.slicefine.engine.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values (after RoPE, before the grouped-query repeat) of every position a {@link LlamaModel} has seen
 * in one generation, per layer. Owns its manager: closing the cache frees them.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[][] kv;
    private long length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.kv = new NDArray[layers][2];
    }

    /** Positions cached so far. */
    public long length() {
        return length;
    }

    /** Appends (1, H, S, D) to layer's keys (which 0) or values (which 1) and returns everything cached for it. */
    NDArray append(int layer, int which, NDArray fresh) {
        NDArray old = kv[layer][which];
        NDArray all = old == null ? fresh : NDArrays.concat(new NDList(old, fresh), 2);
        all.attach(manager);
        ai.djl.ndarray.NDScope.unregister(all); // outlives the step's scope
        if (old != null) {
            old.close();
        }
        kv[layer][which] = all;
        return all;
    }

    void advance(long steps) {
        length += steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
