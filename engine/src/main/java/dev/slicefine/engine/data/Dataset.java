package dev.slicefine.engine.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validated examples in file order, the label list (class id = index; empty for a causal LM) and the report. */
public record Dataset(Task task, List<Example> examples, List<String> labels, ValidationReport report) {
    public Dataset {
        examples = List.copyOf(examples);
        labels = List.copyOf(labels);
    }

    public int size() {
        return examples.size();
    }

    /** label -> count over these examples, in label order. */
    public Map<String, Long> labelCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String l : labels) {
            counts.put(l, 0L);
        }
        for (Example e : examples) {
            if (e.label() >= 0) {
                counts.merge(labels.get(e.label()), 1L, Long::sum);
            }
        }
        return counts;
    }
}
