package dev.slicefine.engine.peft;

import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.nn.LinearSlot;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Linear layers a method wraps. A pattern is either a module-name suffix as PEFT's target_modules uses it
 * ({@code query} matches {@code bert.encoder.layer.0.attention.self.query}) or a glob over the module or parameter
 * name ({@code *.layer.1[01].*.query}, {@code model.layers.*.self_attn.q_proj.weight}). Head layers are never targets.
 */
public final class TargetPatterns {
    private TargetPatterns() {}

    public static List<String> defaults(ModelFamily family) {
        return switch (family) {
            case BERT, ROBERTA, VIT -> List.of("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense");
            case LLAMA -> List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        };
    }

    /** The matching slots, in model order; a pattern that matches nothing is an error naming it. */
    public static List<LinearSlot> select(HfModel model, List<String> patterns) {
        List<String> effective = patterns.isEmpty() ? defaults(model.config().family()) : patterns;
        List<String> head = model.headTensorNames();
        List<LinearSlot> candidates = model.linears().stream()
                .filter(s -> !head.contains(s.name() + ".weight") && !s.name().equals("lm_head"))
                .toList();
        List<LinearSlot> out = new ArrayList<>();
        for (String pattern : effective) {
            boolean any = false;
            for (LinearSlot s : candidates) {
                if (matches(pattern, s.name())) {
                    any = true;
                    if (!out.contains(s)) {
                        out.add(s);
                    }
                }
            }
            if (!any) {
                throw new IllegalArgumentException("target pattern '" + pattern + "' matches no Linear layer of this "
                        + model.config().family().modelType() + " model (e.g. " + candidates.get(0).name() + ")");
            }
        }
        out.sort((a, b) -> Integer.compare(candidates.indexOf(a), candidates.indexOf(b)));
        return out;
    }

    public static boolean matches(String pattern, String module) {
        if (module.equals(pattern) || module.endsWith("." + pattern)) {
            return true;
        }
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
            return false;
        }
        // Module names contain no '/', so a glob over them behaves like a glob over one path segment.
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        return m.matches(Path.of(module)) || m.matches(Path.of(module + ".weight"));
    }

    /** A target list is patterns, none of them blank (empty list = the family's defaults). */
    public static void check(String field, List<String> targets, dev.slicefine.engine.config.ConfigErrors errors) {
        if (targets.stream().anyMatch(t -> t == null || t.isBlank())) {
            errors.add(field, dev.slicefine.engine.config.ConfigError.WRONG_TYPE, "must be an array of non-empty strings");
        }
    }
}
