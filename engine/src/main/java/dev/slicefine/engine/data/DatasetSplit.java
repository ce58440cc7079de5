package dev.slicefine.engine.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic train/test split for jobs that give no validation file. Classification is stratified: each label
 * gives round(count * testRatio) of its examples to the test side (at least one and never all of them; a label with one example stays in train), chosen by
 * java.util.Random(seed); a causal LM is split as one group. Both sides keep the file order.
 */
public final class DatasetSplit {
    private DatasetSplit() {}

    public record Split(Dataset train, Dataset test) {}

    public static Split split(Dataset dataset, double testRatio, long seed) {
        if (!(testRatio > 0 && testRatio < 1)) {
            throw new IllegalArgumentException("test ratio must be between 0 and 1, got " + testRatio);
        }
        if (dataset.size() < 2) {
            throw new IllegalArgumentException("cannot split " + dataset.size() + " example(s)");
        }
        TreeMap<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < dataset.size(); i++) {
            int key = dataset.task() == Task.CAUSAL_LM ? -1 : dataset.examples().get(i).label();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        Random rnd = new Random(seed);
        boolean[] test = new boolean[dataset.size()];
        for (List<Integer> g : groups.values()) {
            Collections.shuffle(g, rnd);
            int n = (int) testCount(g.size(), testRatio);
            for (int k = 0; k < n; k++) {
                test[g.get(k)] = true;
            }
        }
        List<Example> a = new ArrayList<>();
        List<Example> b = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            (test[i] ? b : a).add(dataset.examples().get(i));
        }
        return new Split(subset(dataset, a), subset(dataset, b));
    }

    /** How many of a group's {@code size} examples go to the test side. */
    public static long testCount(long size, double testRatio) {
        long n = Math.round(size * testRatio);
        return size < 2 ? 0 : Math.max(1, Math.min(size - 1, n));
    }

    private static Dataset subset(Dataset parent, List<Example> examples) {
        Dataset d = new Dataset(parent.task(), examples, parent.labels(), parent.report());
        ValidationReport r = ValidationReport.counts(parent.task(), examples.size(),
                parent.task() == Task.CAUSAL_LM ? java.util.Map.of() : d.labelCounts());
        return new Dataset(parent.task(), examples, parent.labels(), r);
    }
}
