package dev.slicefine.engine.peft.slice;

import dev.slicefine.engine.nn.Ops;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.train.Param;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainingMethod;
import dev.slicefine.engine.train.TrainingMethods;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SliceFine as a training method: one slice per target layer, moved every {@code move_steps} optimizer steps (fold,
 * advance by r, next mode), learning-rate decay per move, rank decay after {@code tolerance} evaluations without
 * improvement, the last slices folded at the end. The classification head (if any) and, with {@code bias}, the
 * target layers' biases train as whole tensors.
 */
public final class SliceFineMethod implements TrainingMethod {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SliceConfig config;
    private final List<Param> head = new ArrayList<>();
    private final List<Param> biases = new ArrayList<>();
    private List<SliceLinear> slices = List.of();
    private NDManager manager;
    private int moves;
    private int rank;
    private double lrScale = 1.0;
    private double peakLr = Double.NaN;
    private int evalsWithoutImprovement;
    private long trainable;

    public SliceFineMethod(SliceConfig config) {
        this.config = config;
        this.rank = config.rank();
    }

    public SliceConfig config() {
        return config;
    }

    /** The peak learning rate, needed to floor learning_rate_decay at min_learning_rate. */
    public void setPeakLearningRate(double lr) {
        this.peakLr = lr;
    }

    @Override
    public String id() {
        return "slicefine";
    }

    public List<SliceLinear> slices() {
        return slices;
    }

    public int moves() {
        return moves;
    }

    @Override
    public void prepare(HfModel model, NDManager parent) {
        manager = parent.newSubManager();
        slices = SliceInjector.inject(model, config, manager);
        head.addAll(TrainingMethods.enableHead(model));
        if (config.bias()) {
            for (SliceLinear s : slices) {
                if (s.bias() != null) {
                    s.bias().setRequiresGradient(true);
                    biases.add(new Param(s.name() + ".bias", s.bias()));
                }
            }
        }
        for (SliceLinear s : slices) {
            s.open(config.modes().get(0), rank);
        }
        trainable = TrainingMethods.size(head) + TrainingMethods.size(biases);
        for (SliceLinear s : slices) {
            trainable += sliceSize(s, config.modes().get(0), config.rank());
        }
    }

    private static long sliceSize(SliceLinear s, SliceMode m, int r) {
        return SliceConfig.sliceParams(s.weight().getShape().get(0), s.weight().getShape().get(1), m, r);
    }

    @Override
    public List<Param> params() {
        List<Param> out = new ArrayList<>(slices.size() + head.size() + biases.size());
        for (SliceLinear s : slices) {
            out.add(new Param(s.name() + ".slice", s.delta()));
        }
        out.addAll(head);
        out.addAll(biases);
        return out;
    }

    @Override
    public StepOutcome afterStep(int step) {
        if ((step + 1) % config.moveSteps() != 0) {
            return StepOutcome.NONE;
        }
        moves++;
        SliceMode next = config.modes().get(moves % config.modes().size());
        List<String> reset = new ArrayList<>(slices.size());
        List<TrainEvent.LayerMove> layers = new ArrayList<>(slices.size());
        for (SliceLinear s : slices) {
            SliceLinear.Fold f = s.fold();
            s.open(next, Math.min(rank, (int) s.extent(next)));
            reset.add(s.name() + ".slice");
            // the same mode again: where it really opened (a smaller rank may not wrap where the old one would)
            int to = next == f.mode() ? s.position() : f.to();
            layers.add(new TrainEvent.LayerMove(s.name() + ".weight", f.mode().id(), f.from(), to, f.rank(), f.dim(),
                    f.deltaNorm()));
        }
        if (config.learningRateDecay() < 1.0) {
            lrScale *= config.learningRateDecay();
            if (!Double.isNaN(peakLr) && peakLr > 0) {
                lrScale = Math.max(lrScale, config.minLearningRate() / peakLr);
            }
        }
        return new StepOutcome(reset, List.of(new TrainEvent.SliceMoved(moves, step + 1, rank, layers)));
    }

    @Override
    public double lrScale() {
        return lrScale;
    }

    @Override
    public List<TrainEvent> onEvaluation(int step, boolean improved) {
        if (config.tolerance() == 0) {
            return List.of();
        }
        evalsWithoutImprovement = improved ? 0 : evalsWithoutImprovement + 1;
        if (evalsWithoutImprovement >= config.tolerance() && rank > config.minRank()) {
            // applies from the next move: the open slices keep their rank until they fold
            int from = rank;
            rank = Math.max(config.minRank(), (int) Math.floor(rank * config.rankDecay()));
            evalsWithoutImprovement = 0;
            return List.of(new TrainEvent.RankChanged(step, from, rank));
        }
        return List.of();
    }

    public int currentRank() {
        return rank;
    }

    @Override
    public void finish() {
        for (SliceLinear s : slices) {
            s.fold();
        }
    }

    @Override
    public long trainableParameterCount() {
        return trainable;
    }

    /** Head tensors trained by this run, by name. */
    public List<Param> headParams() {
        return head;
    }

    public List<Param> biasParams() {
        return biases;
    }

    @Override
    public Map<String, NDArray> checkpointTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (SliceLinear s : slices) {
            if (s.delta() != null) {
                out.put("slice." + s.name(), s.delta());
            }
            // Current values of everything folded so far: restoring them makes W exactly what it was.
            if (!s.columnDiff().isEmpty()) {
                out.put("wcols." + s.name(), gather(s, s.columnDiff().keySet(), true));
            }
            if (!s.rowDiff().isEmpty()) {
                out.put("wrows." + s.name(), gather(s, s.rowDiff().keySet(), false));
            }
        }
        for (Param p : head) {
            out.put("head." + p.name(), p.array());
        }
        for (Param p : biases) {
            out.put("bias." + p.name(), p.array());
        }
        return out;
    }

    /** Current values of W's given columns (as rows of the result) or rows, in index order. */
    private NDArray gather(SliceLinear s, java.util.Set<Integer> indices, boolean columns) {
        long len = s.weight().getShape().get(columns ? 0 : 1);
        float[] out = new float[(int) (indices.size() * len)];
        int k = 0;
        for (int i : indices) {
            try (NDArray v = s.weight().get(columns ? ":, " + i : i + ", :")) {
                System.arraycopy(v.toFloatArray(), 0, out, (int) (k * len), (int) len);
            }
            k++;
        }
        return manager.create(out, new ai.djl.ndarray.types.Shape(indices.size(), len));
    }

    private static void scatter(SliceLinear s, java.util.Set<Integer> indices, float[] values, boolean columns) {
        long len = s.weight().getShape().get(columns ? 0 : 1);
        int k = 0;
        for (int i : indices) {
            float[] v = java.util.Arrays.copyOfRange(values, (int) (k * len), (int) ((k + 1) * len));
            try (NDManager tmp = s.weight().getManager().newSubManager()) {
                NDArray col = tmp.create(v, columns ? new ai.djl.ndarray.types.Shape(len, 1) : new ai.djl.ndarray.types.Shape(1, len));
                s.weight().set(new NDIndex(columns ? ":, " + i + ":" + (i + 1) : i + ":" + (i + 1) + ", :"), col);
            }
            k++;
        }
    }

    @Override
    public ObjectNode checkpointMeta() {
        ObjectNode n = JSON.createObjectNode();
        n.put("moves", moves);
        n.put("rank", rank);
        n.put("lr_scale", lrScale);
        n.put("evals_without_improvement", evalsWithoutImprovement);
        ObjectNode layers = n.putObject("layers");
        for (SliceLinear s : slices) {
            ObjectNode l = layers.putObject(s.name());
            l.put("mode", s.mode().id());
            l.put("rank", s.rank());
            ArrayNode pos = l.putArray("positions");
            for (int p : s.positions()) {
                pos.add(p);
            }
            putDiff(l.putObject("columns"), s.columnDiff());
            putDiff(l.putObject("rows"), s.rowDiff());
        }
        return n;
    }

    private static void putDiff(ObjectNode node, Map<Integer, float[]> diff) {
        for (var e : diff.entrySet()) {
            ArrayNode a = node.putArray(Integer.toString(e.getKey()));
            for (float f : e.getValue()) {
                a.add(f);
            }
        }
    }

    private static Map<Integer, float[]> readDiff(ObjectNode node) {
        Map<Integer, float[]> out = new TreeMap<>();
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            float[] v = new float[e.getValue().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getValue().get(i).floatValue();
            }
            out.put(Integer.parseInt(e.getKey()), v);
        }
        return out;
    }

    @Override
    public void restore(Map<String, float[]> tensors, ObjectNode meta) {
        moves = meta.get("moves").asInt();
        rank = meta.get("rank").asInt();
        lrScale = meta.get("lr_scale").asDouble();
        evalsWithoutImprovement = meta.get("evals_without_improvement").asInt();
        ObjectNode layers = (ObjectNode) meta.get("layers");
        for (SliceLinear s : slices) {
            ObjectNode l = (ObjectNode) layers.get(s.name());
            if (l == null) {
                throw new IllegalArgumentException("checkpoint has no state for layer " + s.name());
            }
            s.restoreDiff(readDiff((ObjectNode) l.get("columns")), readDiff((ObjectNode) l.get("rows")));
            if (tensors.containsKey("wcols." + s.name())) {
                scatter(s, s.columnDiff().keySet(), tensors.get("wcols." + s.name()), true);
            }
            if (tensors.containsKey("wrows." + s.name())) {
                scatter(s, s.rowDiff().keySet(), tensors.get("wrows." + s.name()), false);
            }
            int[] positions = new int[SliceMode.values().length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = l.get("positions").get(i).asInt();
            }
            s.discard();
            s.restore(SliceMode.parse(l.get("mode").asText()), l.get("rank").asInt(), positions, tensors.get("slice." + s.name()));
        }
        for (Param p : head) {
            Ops.copyInto(p.array(), tensors.get("head." + p.name()));
        }
        for (Param p : biases) {
            Ops.copyInto(p.array(), tensors.get("bias." + p.name()));
        }
    }

    @Override
    public void close() {
        for (SliceLinear s : slices) {
            s.discard();
        }
        if (manager != null) {
            manager.close();
        }
    }
}
