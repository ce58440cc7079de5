package dev.slicefine.engine.peft.lora;

import java.util.List;

/** The LoRA baseline's hyper-parameters, as PEFT names them. targets empty = the family's default targets. */
public record LoraConfig(int r, double alpha, double dropout, List<String> targets) {
    public LoraConfig {
        targets = List.copyOf(targets);
        if (r < 1) {
            throw new IllegalArgumentException("LoRA r must be at least 1, got " + r);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("lora_alpha must be > 0, got " + alpha);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
    }

    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.0, List.of());
    }
}
