package dev.slicefine.engine.artifact;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.peft.slice.SliceLinear;
import dev.slicefine.engine.train.Param;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a SliceFine run produced: per target weight, the columns and rows any slice changed with their accumulated
 * new-minus-old values, plus tensors replaced whole (the trained head, biases with {@code bias=true}).
 * On disk: {@code diff.safetensors} ({@code <tensor>.columns} (out x k) F32 + {@code <tensor>.columns_index} (k) I32,
 * {@code <tensor>.rows} (k x in) + {@code <tensor>.rows_index}, replaced tensors under their own names) and
 * {@code manifest.json} (base checkpoint sha256, family, targets, hyper-parameters, metrics, labels).
 */
public final class SliceDiff {
    public static final String FORMAT = "slicefine-diff";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Changes to one (out x in) weight: columnDelta is out x k row-major, rowDelta k x in. */
    public record TensorDiff(String tensor, long out, long in, int[] columnIndex, float[] columnDelta, int[] rowIndex,
                             float[] rowDelta) implements Merger.Delta {
        /** Adds the changes into W's values (row-major out x in). */
        @Override
        public void applyTo(float[] w) {
            int k = columnIndex.length;
            for (int j = 0; j < k; j++) {
                int c = columnIndex[j];
                for (long i = 0; i < out; i++) {
                    w[(int) (i * in + c)] += columnDelta[(int) (i * k + j)];
                }
            }
            for (int j = 0; j < rowIndex.length; j++) {
                int r = rowIndex[j];
                for (long i = 0; i < in; i++) {
                    w[(int) (r * in + i)] += rowDelta[(int) (j * in + i)];
                }
            }
        }

        public long size() {
            return columnDelta.length + rowDelta.length;
        }
    }

    public record Replacement(String tensor, long[] shape, float[] values) {}

    private final Map<String, TensorDiff> tensors;
    private final Map<String, Replacement> replaced;
    private final ObjectNode manifest;

    public SliceDiff(Map<String, TensorDiff> tensors, Map<String, Replacement> replaced, ObjectNode manifest) {
        this.tensors = tensors;
        this.replaced = replaced;
        this.manifest = manifest;
    }

    public Map<String, TensorDiff> tensors() {
        return tensors;
    }

    public Map<String, Replacement> replaced() {
        return replaced;
    }

    public ObjectNode manifest() {
        return manifest;
    }

    public String baseSha256() {
        return manifest.path("base").path("sha256").asText();
    }

    /** Collects the folded slices of a finished run and the tensors it trained whole. */
    public static SliceDiff of(List<SliceLinear> slices, List<Param> wholeTensors, ObjectNode manifest) {
        Map<String, TensorDiff> t = new LinkedHashMap<>();
        for (SliceLinear s : slices) {
            if (s.columnDiff().isEmpty() && s.rowDiff().isEmpty()) {
                continue;
            }
            long out = s.weight().getShape().get(0);
            long in = s.weight().getShape().get(1);
            int[] ci = s.columnDiff().keySet().stream().mapToInt(Integer::intValue).toArray();
            float[] cd = new float[(int) (out * ci.length)];
            for (int j = 0; j < ci.length; j++) {
                float[] col = s.columnDiff().get(ci[j]);
                for (int i = 0; i < out; i++) {
                    cd[i * ci.length + j] = col[i];
                }
            }
            int[] ri = s.rowDiff().keySet().stream().mapToInt(Integer::intValue).toArray();
            float[] rd = new float[(int) (in * ri.length)];
            for (int j = 0; j < ri.length; j++) {
                System.arraycopy(s.rowDiff().get(ri[j]), 0, rd, (int) (j * in), (int) in);
            }
            String name = s.name() + ".weight";
            t.put(name, new TensorDiff(name, out, in, ci, cd, ri, rd));
        }
        Map<String, Replacement> r = new LinkedHashMap<>();
        for (Param p : wholeTensors) {
            r.put(p.name(), new Replacement(p.name(), p.array().getShape().getShape(), p.array().toFloatArray()));
        }
        ObjectNode m = manifest; // the caller's manifest gains the diff's entries
        m.put("format", FORMAT);
        m.put("version", 1);
        ObjectNode changed = m.putObject("tensors");
        for (TensorDiff d : t.values()) {
            ObjectNode n = changed.putObject(d.tensor());
            n.put("shape", d.out() + "x" + d.in());
            n.put("columns", d.columnIndex().length);
            n.put("rows", d.rowIndex().length);
        }
        ArrayNode rep = m.putArray("replaced");
        r.keySet().forEach(rep::add);
        return new SliceDiff(t, r, m);
    }

    /** Number of stored values (slices + replaced tensors). */
    public long storedValues() {
        return tensors.values().stream().mapToLong(TensorDiff::size).sum()
                + replaced.values().stream().mapToLong(x -> x.values().length).sum();
    }

    /** Writes diff.safetensors and manifest.json into dir (each written to a temporary name, then renamed). */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, NDArray> out = new LinkedHashMap<>();
                for (TensorDiff d : tensors.values()) {
                    if (d.columnIndex().length > 0) {
                        out.put(d.tensor() + ".columns", m.create(d.columnDelta(), new Shape(d.out(), d.columnIndex().length)));
                        out.put(d.tensor() + ".columns_index", m.create(d.columnIndex()));
                    }
                    if (d.rowIndex().length > 0) {
                        out.put(d.tensor() + ".rows", m.create(d.rowDelta(), new Shape(d.rowIndex().length, d.in())));
                        out.put(d.tensor() + ".rows_index", m.create(d.rowIndex()));
                    }
                }
                for (Replacement r : replaced.values()) {
                    out.put(r.tensor(), m.create(r.values(), new Shape(r.shape())));
                }
                SafetensorsWriter.write(dir.resolve("diff.safetensors"), out, Map.of("format", FORMAT));
            }
            Path tmp = dir.resolve("manifest.json.tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), manifest);
            Files.move(tmp, dir.resolve("manifest.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the slice diff to " + dir, e);
        }
    }

    /** Reads and checks a diff folder; every inconsistency is an error naming the tensor. */
    public static SliceDiff read(Path dir) {
        Path manifestFile = dir.resolve("manifest.json");
        Path data = dir.resolve("diff.safetensors");
        if (!Files.isRegularFile(manifestFile) || !Files.isRegularFile(data)) {
            throw new CheckpointException(dir + " is not a slice diff: it needs manifest.json and diff.safetensors");
        }
        ObjectNode manifest;
        try {
            manifest = (ObjectNode) JSON.readTree(manifestFile.toFile());
        } catch (IOException | ClassCastException e) {
            throw new CheckpointException(manifestFile + ": not a JSON object");
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            throw new CheckpointException(manifestFile + ": format is '" + manifest.path("format").asText() + "', expected " + FORMAT);
        }
        Map<String, TensorDiff> t = new LinkedHashMap<>();
        Map<String, Replacement> r = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(data); NDManager m = NDManager.newBaseManager()) {
            var it = manifest.path("tensors").fields();
            while (it.hasNext()) {
                String name = it.next().getKey();
                int[] ci = f.contains(name + ".columns_index") ? f.load(name + ".columns_index", m).toType(DataType.INT32, false).toIntArray() : new int[0];
                int[] ri = f.contains(name + ".rows_index") ? f.load(name + ".rows_index", m).toType(DataType.INT32, false).toIntArray() : new int[0];
                long out;
                long in;
                float[] cd = new float[0];
                float[] rd = new float[0];
                String[] shape = manifest.path("tensors").path(name).path("shape").asText().split("x");
                if (shape.length != 2) {
                    throw new CheckpointException(manifestFile + ": tensor " + name + " has no 'shape' of the form OUTxIN");
                }
                out = Long.parseLong(shape[0]);
                in = Long.parseLong(shape[1]);
                if (ci.length > 0) {
                    TensorInfo info = f.info(name + ".columns");
                    if (!Arrays.equals(info.shape(), new long[] {out, ci.length})) {
                        throw new CheckpointException(data + ": " + name + ".columns has shape " + Arrays.toString(info.shape())
                                + ", expected [" + out + ", " + ci.length + "]");
                    }
                    cd = f.load(name + ".columns", m).toFloatArray();
                }
                if (ri.length > 0) {
                    TensorInfo info = f.info(name + ".rows");
                    if (!Arrays.equals(info.shape(), new long[] {ri.length, in})) {
                        throw new CheckpointException(data + ": " + name + ".rows has shape " + Arrays.toString(info.shape())
                                + ", expected [" + ri.length + ", " + in + "]");
                    }
                    rd = f.load(name + ".rows", m).toFloatArray();
                }
                for (int c : ci) {
                    if (c < 0 || c >= in) {
                        throw new CheckpointException(data + ": " + name + " column index " + c + " is outside [0, " + in + ")");
                    }
                }
                for (int c : ri) {
                    if (c < 0 || c >= out) {
                        throw new CheckpointException(data + ": " + name + " row index " + c + " is outside [0, " + out + ")");
                    }
                }
                t.put(name, new TensorDiff(name, out, in, ci, cd, ri, rd));
            }
            for (var n : manifest.path("replaced")) {
                String name = n.asText();
                if (!f.contains(name)) {
                    throw new CheckpointException(data + ": replaced tensor " + name + " is listed in the manifest but absent");
                }
                r.put(name, new Replacement(name, f.info(name).shape(), f.load(name, m).toFloatArray()));
            }
        }
        return new SliceDiff(t, r, manifest);
    }
}
