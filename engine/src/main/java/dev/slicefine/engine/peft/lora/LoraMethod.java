package dev.slicefine.engine.peft.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.TargetPatterns;
import dev.slicefine.engine.train.Param;
import dev.slicefine.engine.train.FixedParamsMethod;
import dev.slicefine.engine.train.TrainingMethods;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The LoRA baseline in the same trainer: A kaiming-uniform (bound 1/sqrt(in), as PEFT), B zero, scale alpha / r. */
public final class LoraMethod implements FixedParamsMethod {
    private final LoraConfig config;
    private final long seed;
    private final List<Param> head = new ArrayList<>();
    private final Map<String, LoraLinear> layers = new LinkedHashMap<>();
    private NDManager manager;

    public LoraMethod(LoraConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Override
    public String id() {
        return "lora";
    }

    public LoraConfig config() {
        return config;
    }

    public Map<String, LoraLinear> layers() {
        return layers;
    }

    public List<Param> headParams() {
        return head;
    }

    @Override
    public void prepare(HfModel model, NDManager parent) {
        manager = parent.newSubManager();
        manager.getEngine().setRandomSeed((int) seed);
        for (LinearSlot slot : TargetPatterns.select(model, config.targets())) {
            long in = slot.get().inFeatures();
            long out = slot.get().outFeatures();
            float bound = (float) (1.0 / Math.sqrt(in));
            NDArray a = manager.randomUniform(-bound, bound, new Shape(config.r(), in), DataType.FLOAT32);
            NDArray b = manager.zeros(new Shape(out, config.r()), DataType.FLOAT32);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            LoraLinear l = new LoraLinear(slot.get(), a, b, config.alpha() / config.r());
            slot.set(l);
            layers.put(slot.name(), l);
        }
        head.addAll(TrainingMethods.enableHead(model));
    }

    @Override
    public List<Param> params() {
        List<Param> out = new ArrayList<>();
        for (var e : layers.entrySet()) {
            out.add(new Param(e.getKey() + ".lora_A", e.getValue().a()));
            out.add(new Param(e.getKey() + ".lora_B", e.getValue().b()));
        }
        out.addAll(head);
        return out;
    }







    @Override
    public long trainableParameterCount() {
        long n = TrainingMethods.size(head);
        for (LoraLinear l : layers.values()) {
            n += config.layerParams(l.outFeatures(), l.inFeatures());
        }
        return n;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
