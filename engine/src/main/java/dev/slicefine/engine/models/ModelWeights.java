package dev.slicefine.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.io.TensorSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every tensor of a model by its Hugging Face name, living in one manager that the model owns.
 * Loaded one tensor at a time from a memory-mapped source, so a load never holds two copies of the model.
 */
public final class ModelWeights implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    public ModelWeights(NDManager manager) {
        this.manager = manager;
    }

    public static ModelWeights load(TensorSource source, Set<String> names, NDManager manager) {
        ModelWeights w = new ModelWeights(manager);
        for (String name : source.names()) {
            if (names.contains(name)) {
                NDArray a = source.load(name, manager);
                a.setName(name);
                w.tensors.put(name, a);
            }
        }
        return w;
    }

    public NDManager manager() {
        return manager;
    }

    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalStateException("tensor " + name + " is not loaded");
        }
        return a;
    }

    public NDArray getOrNull(String name) {
        return tensors.get(name);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Adds or replaces a tensor (a freshly initialised task head, say); the array moves into this manager. */
    public void put(String name, NDArray array) {
        array.attach(manager);
        array.setName(name);
        NDArray old = tensors.put(name, array);
        if (old != null && old != array) {
            old.close();
        }
    }

    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
