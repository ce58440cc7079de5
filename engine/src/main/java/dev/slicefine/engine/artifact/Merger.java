package dev.slicefine.engine.artifact;

import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.DType;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * base checkpoint + slice diff (or + LoRA adapter) -> a Hugging Face checkpoint that transformers loads as the task's
 * class, streamed tensor by tensor: untouched tensors are copied byte for byte from the memory-mapped base, changed ones
 * are widened to F32, patched and written as F32 (a slice's small deltas would round away in F16/BF16). Memory holds
 * one tensor at a time. Names and config.json follow {@link TaskCheckpoint}.
 */
public final class Merger {
    private Merger() {}

    /** A change to one (out x in) weight, added into its row-major values. */
    public interface Delta {
        long out();

        long in();

        void applyTo(float[] w);
    }

    /**
     * What a merge changes, keyed by the base's tensor names; labels of the trained head (empty: none). The one form of
     * a result that both the file merge and the in-memory merge ({@code LoadedModel}) apply.
     */
    public record Edits(Map<String, ? extends Delta> deltas, Map<String, SliceDiff.Replacement> replaced, List<String> labels,
                 String baseSha256) {}

    /** diffDir: a slice diff, or a LoRA adapter folder (adapter_config.json + adapter_model.safetensors). */
    public static void merge(Path modelDir, Path diffDir, Path outDir) {
        write(modelDir, edits(modelDir, diffDir), outDir);
    }

    /** Whether {@code dir} holds a result to add to a base (a slice diff or a LoRA adapter) rather than a checkpoint. */
    public static boolean isDiff(Path dir) {
        return Files.isRegularFile(dir.resolve("diff.safetensors")) || LoraAdapter.isAdapter(dir);
    }

    /**
     * What diffDir (a slice diff, or a LoRA adapter: W + scale B A) changes in the base at modelDir, after checking that
     * it was made for that base.
     */
    public static Edits edits(Path modelDir, Path diffDir) {
        if (LoraAdapter.isAdapter(diffDir)) {
            LoraAdapter adapter = LoraAdapter.read(diffDir);
            checkBase(modelDir, diffDir, adapter.baseSha256());
            return adapter.edits(modelDir);
        }
        SliceDiff diff = SliceDiff.read(diffDir);
        checkBase(modelDir, diffDir, diff.baseSha256());
        return edits(diff);
    }

    static void checkBase(Path modelDir, Path diffDir, String expected) {
        if (expected == null || expected.isEmpty()) {
            return; // an adapter saved by PEFT itself names no base checksum
        }
        String base = CheckpointHash.of(modelDir);
        if (!base.equals(expected)) {
            throw new CheckpointException("the diff in " + diffDir + " was made for base checkpoint sha256 " + expected
                    + ", but " + modelDir + " has sha256 " + base);
        }
    }

    /** Merges without the sha256 check (the caller has verified the base). */
    public static void merge(Path modelDir, SliceDiff diff, Path outDir) {
        write(modelDir, edits(diff), outDir);
    }

    private static Edits edits(SliceDiff diff) {
        List<String> labels = new ArrayList<>();
        if (!diff.replaced().isEmpty()) {
            diff.manifest().path("labels").forEach(l -> labels.add(l.asText()));
        }
        return new Edits(diff.tensors(), diff.replaced(), labels, diff.baseSha256());
    }

    static void write(Path modelDir, Edits edits, Path outDir) {
        ModelConfig config = ModelConfigs.read(modelDir);
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            Files.createDirectories(outDir);
            for (var e : edits.deltas().entrySet()) {
                String t = e.getKey();
                if (!source.contains(t)) {
                    throw new CheckpointException("the diff changes tensor " + t + ", which " + modelDir + " does not have");
                }
                long[] shape = source.info(t).shape();
                Delta d = e.getValue();
                if (!Arrays.equals(shape, new long[] {d.out(), d.in()})) {
                    throw new CheckpointException("the diff's tensor " + t + " is " + d.out() + "x" + d.in() + " but the base's is "
                            + Arrays.toString(shape));
                }
            }
            boolean classifier = edits.replaced().keySet().stream().anyMatch(n -> n.startsWith("classifier."));
            TaskCheckpoint.Form form = TaskCheckpoint.form(config.family(), CheckpointLayout.of(config, source).prefix(), classifier);
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            Map<String, String> baseNames = new LinkedHashMap<>();
            for (String name : source.names()) {
                TensorInfo info = source.info(name);
                boolean changed = edits.deltas().containsKey(name) || edits.replaced().containsKey(name);
                long[] shape = edits.replaced().containsKey(name) ? edits.replaced().get(name).shape() : info.shape();
                specs.add(new SafetensorsWriter.Spec(form.name(name), changed ? DType.F32 : info.dtype(), shape));
                baseNames.put(form.name(name), name);
            }
            for (SliceDiff.Replacement r : edits.replaced().values()) {
                if (!source.contains(r.tensor())) {
                    specs.add(new SafetensorsWriter.Spec(form.name(r.tensor()), DType.F32, r.shape()));
                    baseNames.put(form.name(r.tensor()), r.tensor());
                }
            }
            SafetensorsWriter.write(outDir.resolve("model.safetensors"), specs,
                    Map.of("format", "pt", "slicefine_base_sha256", edits.baseSha256()),
                    (name, channel) -> writeTensor(source, edits, baseNames.get(name), channel));
            copySideFiles(modelDir, outDir);
            TaskCheckpoint.writeConfig(modelDir, outDir, form, edits.labels());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the merged checkpoint to " + outDir, e);
        }
    }

    private static void writeTensor(TensorSource source, Edits edits, String name, WritableByteChannel channel) throws IOException {
        SliceDiff.Replacement r = edits.replaced().get(name);
        if (r != null) {
            writeFloats(r.values(), channel);
            return;
        }
        Delta d = edits.deltas().get(name);
        if (d == null) {
            ByteBuffer raw = source.raw(name).duplicate();
            while (raw.hasRemaining()) {
                channel.write(raw);
            }
            return;
        }
        float[] w = Floats.read(source, name);
        d.applyTo(w);
        writeFloats(w, channel);
    }

    static void writeFloats(float[] values, WritableByteChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!buf.hasRemaining()) {
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                buf.clear();
            }
            buf.putFloat(v);
        }
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /**
     * Tokenizer and generation files travel with the weights (config.json too, rewritten after by TaskCheckpoint);
     * other safetensors and pickles do not.
     */
    public static void copySideFiles(Path modelDir, Path outDir) throws IOException {
        try (var files = Files.list(modelDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && (n.endsWith(".json") || n.endsWith(".txt") || n.endsWith(".model"))
                        && !n.equals("model.safetensors.index.json")) {
                    Files.copy(p, outDir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
