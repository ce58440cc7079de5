package dev.slicefine.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ids, tokens and type ids equal what the HF tokenizers library produced (encodings.json), pairs included. */
class TokenizerParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"wordpiece", "bpe"})
    void encodesExactlyLikeHuggingFace(String kind) throws Exception {
        EngineRuntime.configure();
        Path dir = Fixtures.dir("tokenizers");
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("encodings.json").toFile()).get(kind);
        int checked = 0;
        try (TextTokenizer tok = TextTokenizer.load(dir.resolve(kind + ".json"), 0)) {
            for (JsonNode row : expected.get("encodings")) {
                TextTokenizer.Encoded e = row.has("pair")
                        ? tok.encode(row.get("text").asText(), row.get("pair").asText())
                        : tok.encode(row.get("text").asText());
                assertThat(e.ids()).as("%s ids of '%s'", kind, row.get("text").asText()).containsExactly(longs(row.get("ids")));
                assertThat(e.tokens()).as("%s tokens of '%s'", kind, row.get("text").asText()).containsExactly(strings(row.get("tokens")));
                if (row.has("type_ids")) {
                    assertThat(e.typeIds()).as("type ids of the pair").containsExactly(longs(row.get("type_ids")));
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(5);
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static String[] strings(JsonNode a) {
        String[] out = new String[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asText();
        }
        return out;
    }
}
