package dev.slicefine.engine.data;

import dev.slicefine.engine.tokenizer.TextTokenizer;

/**
 * How many special tokens a tokenizer adds before and after a text ([CLS] … [SEP] is 1 and 1; LLaMA's &lt;s&gt; … is 1
 * and 0), found by encoding "" and "a": the empty text is all specials, and the shared prefix is the leading part.
 */
record SpecialTokens(int prefix, int suffix) {

    static SpecialTokens probe(TextTokenizer tokenizer) {
        long[] empty = tokenizer.encode("").ids();
        long[] probe = tokenizer.encode("a").ids();
        int prefix = 0;
        while (prefix < empty.length && prefix < probe.length && empty[prefix] == probe[prefix]) {
            prefix++;
        }
        return new SpecialTokens(prefix, empty.length - prefix);
    }

    /** ids without the leading (when dropPrefix) and trailing special tokens. */
    long[] strip(long[] ids, boolean dropPrefix) {
        int from = dropPrefix ? Math.min(prefix, ids.length) : 0;
        int to = Math.max(from, ids.length - suffix);
        return java.util.Arrays.copyOfRange(ids, from, to);
    }
}
