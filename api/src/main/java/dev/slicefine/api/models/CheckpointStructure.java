package dev.slicefine.api.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checks the api can make without loading weights: config.json is a JSON object, weights are safetensors
 * whose headers parse and whose tensors lie inside the file, and an index names only shards that were sent.
 */
final class CheckpointStructure {
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    interface Files {
        List<ModelFileView> list();
        InputStream open(ModelFileView file) throws IOException;
    }

    private CheckpointStructure() {}

    static ModelReport check(Files files, JsonMapper json) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, ModelFileView> byPath = new java.util.HashMap<>();
        files.list().forEach(f -> byPath.put(f.path(), f));

        String family = null;
        String architecture = null;
        ModelFileView config = byPath.get("config.json");
        if (config == null) {
            problems.add("config.json is missing");
        } else {
            try (InputStream in = files.open(config)) {
                JsonNode node = json.readTree(in);
                if (!node.isObject()) {
                    problems.add("config.json is not a JSON object");
                } else {
                    family = node.path("model_type").isString() ? node.get("model_type").asString() : null;
                    JsonNode arch = node.path("architectures");
                    architecture = arch.isArray() && !arch.isEmpty() ? arch.get(0).asString() : null;
                    if (family == null) {
                        problems.add("config.json has no model_type");
                    }
                }
            } catch (JacksonException e) {
                problems.add("config.json is not valid JSON: " + e.getOriginalMessage());
            }
        }

        List<ModelFileView> weights = byPath.values().stream().filter(f -> f.path().endsWith(".safetensors")).toList();
        if (weights.isEmpty()) {
            problems.add("no *.safetensors weights");
        }
        TreeSet<String> dtypes = new TreeSet<>();
        long parameters = 0;
        int tensors = 0;
        for (ModelFileView weight : weights) {
            try (InputStream in = files.open(weight)) {
                byte[] lengthBytes = in.readNBytes(8);
                if (lengthBytes.length < 8) {
                    problems.add(weight.path() + ": too short to be safetensors");
                    continue;
                }
                long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > weight.size() - 8) {
                    problems.add(weight.path() + ": invalid safetensors header length " + headerLength);
                    continue;
                }
                JsonNode header = json.readTree(in.readNBytes((int) headerLength));
                long dataSize = weight.size() - 8 - headerLength;
                for (Map.Entry<String, JsonNode> e : header.properties()) {
                    if (e.getKey().equals("__metadata__")) {
                        continue;
                    }
                    JsonNode t = e.getValue();
                    JsonNode offsets = t.path("data_offsets");
                    if (!t.path("dtype").isString() || !t.path("shape").isArray() || !offsets.isArray() || offsets.size() != 2) {
                        problems.add(weight.path() + ": tensor '" + e.getKey() + "' has a malformed header entry");
                        continue;
                    }
                    long begin = offsets.get(0).asLong();
                    long end = offsets.get(1).asLong();
                    if (begin < 0 || end < begin || end > dataSize) {
                        problems.add(weight.path() + ": tensor '" + e.getKey() + "' lies outside the file");
                        continue;
                    }
                    long count = 1;
                    for (JsonNode dim : t.get("shape")) {
                        count *= dim.asLong();
                    }
                    parameters += count;
                    tensors++;
                    dtypes.add(t.get("dtype").asString());
                }
            } catch (JacksonException e) {
                problems.add(weight.path() + ": safetensors header is not valid JSON");
            }
        }

        ModelFileView index = byPath.get("model.safetensors.index.json");
        if (index != null) {
            try (InputStream in = files.open(index)) {
                JsonNode map = json.readTree(in).path("weight_map");
                if (!map.isObject()) {
                    problems.add("model.safetensors.index.json has no weight_map");
                } else {
                    TreeSet<String> missing = new TreeSet<>();
                    for (Map.Entry<String, JsonNode> e : map.properties()) {
                        if (!byPath.containsKey(e.getValue().asString())) {
                            missing.add(e.getValue().asString());
                        }
                    }
                    missing.forEach(m -> problems.add("model.safetensors.index.json names " + m + ", which was not uploaded"));
                }
            } catch (JacksonException e) {
                problems.add("model.safetensors.index.json is not valid JSON");
            }
        }

        boolean tokenizer = byPath.containsKey("tokenizer.json") || byPath.containsKey("vocab.txt")
                || byPath.containsKey("tokenizer.model") || byPath.containsKey("vocab.json")
                || byPath.containsKey("preprocessor_config.json");
        return new ModelReport(family, architecture, null, parameters, List.copyOf(dtypes), tensors, tokenizer, problems, List.of(), null);
    }
}
