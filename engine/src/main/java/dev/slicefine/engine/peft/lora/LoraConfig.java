package dev.slicefine.engine.peft.lora;

import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.peft.TargetPatterns;
import dev.slicefine.engine.peft.slice.SliceConfig;
import java.util.List;

/** The LoRA baseline's hyper-parameters, as PEFT names them. targets empty = the family's default targets. */
public record LoraConfig(int r, double alpha, double dropout, List<String> targets) {
    /** The bounds of every field (JSON paths {@code lora.*}); all bad fields are reported together. */
    public LoraConfig {
        targets = List.copyOf(targets);
        ConfigErrors e = new ConfigErrors();
        e.between("lora.r", r, 1, SliceConfig.MAX_RANK);
        e.within("lora.alpha", alpha, 0, true, 1e6, false);
        e.within("lora.dropout", dropout, 0, false, 1, true);
        TargetPatterns.check("lora.targets", targets, e);
        e.throwIfAny();
    }

    /** Trainable values LoRA adds to one (out x in) Linear: A (r x in) and B (out x r). */
    public long layerParams(long out, long in) {
        return (long) r * (in + out);
    }

    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.0, List.of());
    }
}
