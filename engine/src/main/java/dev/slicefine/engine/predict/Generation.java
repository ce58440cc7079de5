package dev.slicefine.engine.predict;

/**
 * A completion: its text, its token ids, why it ended ("length", "eos" or "stop"), the prompt's token count, and the
 * decoding speed (generated tokens per second, prompt processing excluded).
 */
public record Generation(String text, long[] tokens, String finishReason, int promptTokens, double tokensPerSecond) {}
