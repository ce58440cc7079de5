package dev.slicefine.engine.data;

import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small dataset files written into a test's temporary folder, and the fixture tokenizers. */
final class DataFiles {
    private DataFiles() {}

    static Path write(Path dir, String name, String content) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path lines(Path dir, String name, String... lines) {
        return write(dir, name, String.join("\n", lines) + "\n");
    }

    /** [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3, lower-cased; pairs get type ids. */
    static TextTokenizer wordpiece() {
        EngineRuntime.configure();
        return TextTokenizer.load(Fixtures.dir("tokenizers/wordpiece.json"), 0);
    }

    /** &lt;s&gt;=0 &lt;pad&gt;=1 &lt;/s&gt;=2: byte-level BPE that adds &lt;s&gt; in front, as LLaMA's does. */
    static TextTokenizer bpe() {
        EngineRuntime.configure();
        return TextTokenizer.load(Fixtures.dir("tokenizers/bpe.json"), 0);
    }
}
