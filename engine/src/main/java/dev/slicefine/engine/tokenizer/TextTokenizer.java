package dev.slicefine.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face tokenizer.json through the tokenizers library (DJL's binding, native code bundled in the jar).
 * No padding, and truncation only when asked: batching and padding are the trainer's business.
 */
public final class TextTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizer.json} from a file or from a checkpoint folder; maxLength 0 means no truncation. */
    public static TextTokenizer load(Path fileOrDir, int maxLength) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " does not exist: a text model needs its tokenizer.json");
        }
        Map<String, String> options = new java.util.HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        if (maxLength > 0) {
            options.put("truncation", "true");
            options.put("maxLength", Integer.toString(maxLength));
        } else {
            options.put("truncation", "false");
        }
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, options));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read tokenizer", e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    public record Encoded(long[] ids, long[] typeIds, long[] attentionMask, String[] tokens) {}

    public Encoded encode(String text) {
        return wrap(tokenizer.encode(text));
    }

    public Encoded encode(String text, String pair) {
        return wrap(tokenizer.encode(text, pair));
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids);
    }

    public List<String> batchDecode(List<long[]> ids) {
        return ids.stream().map(this::decode).toList();
    }

    private static Encoded wrap(Encoding e) {
        return new Encoded(e.getIds(), e.getTypeIds(), e.getAttentionMask(), e.getTokens());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
