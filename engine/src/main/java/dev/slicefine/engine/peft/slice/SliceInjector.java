package dev.slicefine.engine.peft.slice;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.TargetPatterns;
import java.util.ArrayList;
import java.util.List;

/** Wraps a model's target Linears in {@link SliceLinear}s (zero parameters added: each D folds back into W). */
public final class SliceInjector {
    private SliceInjector() {}

    public static List<SliceLinear> inject(HfModel model, SliceConfig config, NDManager sliceParent) {
        List<SliceLinear> out = new ArrayList<>();
        for (LinearSlot slot : TargetPatterns.select(model, config.targets())) {
            if (slot.get() instanceof SliceLinear) {
                throw new IllegalStateException(slot.name() + " is already sliced");
            }
            SliceLinear s = new SliceLinear(slot.name(), slot.get(), sliceParent, config.position(), config.maxPosition());
            for (SliceMode m : config.modes()) {
                if (config.rank() > s.extent(m)) {
                    throw new IllegalArgumentException("rank " + config.rank() + " is larger than " + slot.name() + "'s "
                            + m.id() + " extent " + s.extent(m));
                }
            }
            slot.set(s);
            out.add(s);
        }
        return out;
    }
}
