package dev.slicefine.engine.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and validates a safetensors header, so that a hostile file fails here with one clear sentence instead of
 * later inside a native call. Bytes of the data section that no tensor covers are allowed (the reference
 * implementation rejects them; we have no reason to).
 */
record SafetensorsHeader(long dataStart, long dataLength, Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** The reference implementation's limit too: a larger header is an attack, not a model. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    /** Strict: a repeated key anywhere is an error, where plain Jackson would silently keep the last one. */
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final JsonFactory LENIENT = new JsonFactory();

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw invalid(file, "it is " + fileSize + " bytes long, shorter than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0); // a u64: "negative" means beyond any limit
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw invalid(file, "its header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - 8) {
            throw invalid(file, "its header length " + headerLength + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        long dataStart = 8 + headerLength;
        return parse(file, headerBytes.array(), dataStart, fileSize - dataStart);
    }

    static SafetensorsHeader parse(Path file, byte[] json, long dataStart, long dataLength) {
        JsonNode root;
        try {
            checkTopLevelNamesUnique(file, json);
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(message(file, "its header is not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")"), e);
        } catch (IOException e) {
            throw new CheckpointException(message(file, "its header could not be parsed"), e);
        }
        if (root == null || !root.isObject()) {
            throw invalid(file, "its header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        Map<String, TensorInfo> tensors = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA_KEY.equals(field.getKey())) {
                metadata = metadata(file, field.getValue());
            } else {
                TensorInfo info = tensor(file, field.getKey(), field.getValue(), dataLength);
                tensors.put(info.name(), info);
            }
        }
        checkNoOverlap(file, tensors);
        return new SafetensorsHeader(dataStart, dataLength, Collections.unmodifiableMap(tensors), metadata);
    }

    /**
     * A first, lenient pass over the top-level keys only, so that a tensor listed twice (or trailing content) is reported
     * in plain words rather than as a generic JSON error; the strict pass still catches repeated keys deeper down.
     */
    private static void checkTopLevelNamesUnique(Path file, byte[] json) throws IOException {
        try (JsonParser parser = LENIENT.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return; // the strict pass reports what is wrong
            }
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (!seen.add(name)) {
                    throw invalid(file, METADATA_KEY.equals(name)
                            ? "its header has __metadata__ twice"
                            : "its header lists " + tensor(name) + " twice");
                }
                parser.nextToken();
                parser.skipChildren();
            }
            if (parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() != null) {
                throw invalid(file, "its header has content after the closing brace of its JSON object");
            }
        }
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw invalid(file, "its __metadata__ is not a JSON object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw invalid(file, "its __metadata__ value for '" + entry.getKey()
                        + "' is not a string (metadata must map strings to strings)");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo tensor(Path file, String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw invalid(file, tensor(name) + " is not a JSON object");
        }
        JsonNode dtypeNode = required(file, name, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw invalid(file, tensor(name) + " has a dtype that is not a string");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeNode.textValue());
        } catch (CheckpointException e) {
            throw invalid(file, tensor(name) + " has unsupported dtype '" + dtypeNode.textValue() + "'");
        }
        long[] shape = longs(file, name, required(file, name, node, "shape"), "shape", -1);
        long[] offsets = longs(file, name, required(file, name, node, "data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        long byteLength;
        try {
            byteLength = Math.multiplyExact(product(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw invalid(file, tensor(name) + " has shape " + Arrays.toString(shape)
                    + " whose size in bytes overflows a 64-bit integer");
        }
        if (begin > end) {
            throw invalid(file, tensor(name) + " has data_offsets " + Arrays.toString(offsets)
                    + " with begin after end");
        }
        if (end > dataLength) {
            throw invalid(file, tensor(name) + " has data_offsets " + Arrays.toString(offsets)
                    + " beyond the data section of " + dataLength + " bytes");
        }
        if (end - begin != byteLength) {
            throw invalid(file, tensor(name) + " has data_offsets " + Arrays.toString(offsets) + " spanning "
                    + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + byteLength + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path file, String name, JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw invalid(file, tensor(name) + " has no " + key);
        }
        return value;
    }

    /** A JSON array of non-negative integers that fit a long; {@code size} -1 means any length. */
    private static long[] longs(Path file, String name, JsonNode node, String key, int size) {
        if (!node.isArray() || (size >= 0 && node.size() != size)) {
            throw invalid(file, tensor(name) + " has a " + key + " that is not "
                    + (size >= 0 ? "an array of " + size + " integers" : "an array of integers"));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw invalid(file, tensor(name) + " has " + key + " " + node
                        + " with an entry that is not a non-negative integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void checkNoOverlap(Path file, Map<String, TensorInfo> tensors) {
        List<TensorInfo> byBegin = new ArrayList<>();
        for (TensorInfo info : tensors.values()) {
            if (info.end() > info.begin()) { // empty tensors occupy no bytes, so they cannot overlap
                byBegin.add(info);
            }
        }
        byBegin.sort(Comparator.comparingLong(TensorInfo::begin).thenComparing(TensorInfo::name));
        for (int i = 1; i < byBegin.size(); i++) {
            TensorInfo previous = byBegin.get(i - 1);
            TensorInfo current = byBegin.get(i);
            if (current.begin() < previous.end()) {
                throw invalid(file, tensor(current.name()) + " at bytes [" + current.begin() + ", " + current.end()
                        + ") overlaps " + tensor(previous.name()) + " at bytes [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("unexpected end of file");
            }
        }
    }

    static String tensor(String name) {
        return "tensor '" + name + "'";
    }

    static String message(Path file, String problem) {
        return "Invalid safetensors file " + file + ": " + problem + ".";
    }

    static CheckpointException invalid(Path file, String problem) {
        return new CheckpointException(message(file, problem));
    }
}
