package dev.slicefine.engine.artifact;

import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.DType;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.io.TensorSource;
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
import java.util.List;
import java.util.Map;

/**
 * base checkpoint + slice diff -> a Hugging Face checkpoint, streamed tensor by tensor: untouched tensors are copied
 * byte for byte from the memory-mapped base, changed ones are widened to F32, patched and written as F32 (a slice's
 * small deltas would round away in F16/BF16). Memory holds one tensor at a time.
 */
public final class Merger {
    private Merger() {}

    public static void merge(Path modelDir, Path diffDir, Path outDir) {
        SliceDiff diff = SliceDiff.read(diffDir);
        String base = CheckpointHash.of(modelDir);
        if (!base.equals(diff.baseSha256())) {
            throw new CheckpointException("the diff in " + diffDir + " was made for base checkpoint sha256 " + diff.baseSha256()
                    + ", but " + modelDir + " has sha256 " + base);
        }
        merge(modelDir, diff, outDir);
    }

    /** Merges without the sha256 check (the caller has verified the base). */
    public static void merge(Path modelDir, SliceDiff diff, Path outDir) {
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            Files.createDirectories(outDir);
            for (String t : diff.tensors().keySet()) {
                if (!source.contains(t)) {
                    throw new CheckpointException("the diff changes tensor " + t + ", which " + modelDir + " does not have");
                }
                long[] shape = source.info(t).shape();
                SliceDiff.TensorDiff d = diff.tensors().get(t);
                if (!Arrays.equals(shape, new long[] {d.out(), d.in()})) {
                    throw new CheckpointException("the diff's tensor " + t + " is " + d.out() + "x" + d.in() + " but the base's is "
                            + Arrays.toString(shape));
                }
            }
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (String name : source.names()) {
                TensorInfo info = source.info(name);
                boolean changed = diff.tensors().containsKey(name) || diff.replaced().containsKey(name);
                long[] shape = diff.replaced().containsKey(name) ? diff.replaced().get(name).shape() : info.shape();
                specs.add(new SafetensorsWriter.Spec(name, changed ? DType.F32 : info.dtype(), shape));
            }
            for (SliceDiff.Replacement r : diff.replaced().values()) {
                if (!source.contains(r.tensor())) {
                    specs.add(new SafetensorsWriter.Spec(r.tensor(), DType.F32, r.shape()));
                }
            }
            SafetensorsWriter.write(outDir.resolve("model.safetensors"), specs,
                    Map.of("format", "pt", "slicefine_base_sha256", diff.baseSha256()),
                    (name, channel) -> writeTensor(source, diff, name, channel));
            copySideFiles(modelDir, outDir);
            patchConfig(outDir.resolve("config.json"), diff);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the merged checkpoint to " + outDir, e);
        }
    }

    private static void writeTensor(TensorSource source, SliceDiff diff, String name, WritableByteChannel channel) throws IOException {
        SliceDiff.Replacement r = diff.replaced().get(name);
        if (r != null) {
            writeFloats(r.values(), channel);
            return;
        }
        SliceDiff.TensorDiff d = diff.tensors().get(name);
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
     * A run that trained a classification head records its labels: the merged config gets id2label / label2id, the
     * sequence-classification architecture, and classifier_pooling when the head reads mean-pooled tokens.
     */
    static void patchConfig(Path config, SliceDiff diff) throws IOException {
        var labels = diff.manifest().path("labels");
        if (!Files.isRegularFile(config) || !labels.isArray() || labels.isEmpty() || diff.replaced().isEmpty()) {
            return;
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(config.toFile());
        var id2label = c.putObject("id2label");
        var label2id = c.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i).asText());
            label2id.put(labels.get(i).asText(), i);
        }
        String family = diff.manifest().path("base").path("family").asText();
        String pooling = diff.manifest().path("classifier_pooling").asText("cls");
        String arch = switch (family) {
            case "bert" -> "BertForSequenceClassification";
            case "roberta" -> "RobertaForSequenceClassification";
            case "vit" -> "ViTForImageClassification";
            default -> null;
        };
        if (pooling.equals("mean")) {
            c.put("classifier_pooling", "mean");
        } else if (arch != null) {
            c.putArray("architectures").add(arch);
        }
        Path tmp = config.resolveSibling("config.json.tmp");
        json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), c);
        Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** config.json, tokenizer and generation files travel with the weights; other safetensors and pickles do not. */
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
