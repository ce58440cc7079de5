package dev.slicefine.engine.predict;

import java.util.List;

/**
 * How to continue a prompt. temperature 0 is greedy (argmax, deterministic); otherwise sampling from the softmax at that
 * temperature, restricted to the smallest set of tokens whose probability reaches topP (nucleus), with a seeded
 * generator so a seed repeats a completion. Generation ends at maxNewTokens, at the end-of-sequence token, or at the
 * first stop string (which the completion does not include).
 */
public record GenerationOptions(int maxNewTokens, double temperature, double topP, long seed, List<String> stop) {
    public static final int MAX_NEW_TOKENS = 4096;

    public GenerationOptions {
        if (maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS) {
            throw new IllegalArgumentException("max_new_tokens must be between 1 and " + MAX_NEW_TOKENS + ", got " + maxNewTokens);
        }
        if (!(temperature >= 0) || temperature > 100) {
            throw new IllegalArgumentException("temperature must be between 0 and 100, got " + temperature);
        }
        if (!(topP > 0) || topP > 1) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0, 1, 0, List.of());
    }
}
