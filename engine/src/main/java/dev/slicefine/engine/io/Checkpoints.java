package dev.slicefine.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Finds the weights in a Hugging Face model folder. Only safetensors: pickle checkpoints are refused, never read. */
public final class Checkpoints {

    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private Checkpoints() {}

    /**
     * Opens {@code model.safetensors}, or else the shards listed by {@code model.safetensors.index.json}.
     *
     * @throws CheckpointException when the folder holds neither; the message says how to convert pickle weights
     */
    public static TensorSource openTensors(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new CheckpointException("Model folder " + modelDir + " does not exist or is not a folder.");
        }
        Path single = modelDir.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return SafetensorsFile.open(single);
        }
        Path index = modelDir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return ShardedSafetensors.open(index);
        }
        List<String> files = listFileNames(modelDir);
        List<String> pickles = files.stream().filter(Checkpoints::isPickle).toList();
        if (!pickles.isEmpty()) {
            throw new CheckpointException("Model folder " + modelDir + " holds only pickle checkpoints " + pickles
                    + ", and loading pickle can run arbitrary code, so SliceFine only reads safetensors; convert it"
                    + " with: python -c \"from transformers import AutoModel; AutoModel.from_pretrained('"
                    + modelDir + "').save_pretrained('OUT', safe_serialization=True)\" (use the model's own"
                    + " AutoModelFor... class instead of AutoModel to keep its head and tensor names).");
        }
        List<String> otherSafetensors = files.stream().filter(f -> f.endsWith(".safetensors")).toList();
        throw new CheckpointException("Model folder " + modelDir + " has no " + SINGLE + " or " + INDEX
                + (otherSafetensors.isEmpty() ? "" : " (it has " + otherSafetensors
                        + ", but the model weights must be named " + SINGLE + ")")
                + ".");
    }

    static boolean isPickle(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return (name.startsWith("pytorch_model") && name.endsWith(".bin"))
                || name.equals("pytorch_model.bin.index.json")
                || name.endsWith(".pt")
                || name.endsWith(".pth")
                || name.endsWith(".pkl")
                || name.endsWith(".pickle")
                || name.endsWith(".ckpt");
    }

    private static List<String> listFileNames(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException("Cannot list model folder " + dir + ": " + SafetensorsFile.describe(e)
                    + ".", e);
        }
    }
}
