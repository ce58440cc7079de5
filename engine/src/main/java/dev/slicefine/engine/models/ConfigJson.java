package dev.slicefine.engine.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Typed reads from a config.json node, with errors that name the field. */
public final class ConfigJson {
    private final JsonNode root;
    private final String file;

    public ConfigJson(JsonNode root, String file) {
        this.root = root;
        this.file = file;
    }

    public JsonNode root() {
        return root;
    }

    public boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    public int requireInt(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ConfigException(file + ": required field '" + field + "' is missing");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new ConfigException(file + ": field '" + field + "' must be an integer, got " + n);
        }
        int v = n.intValue();
        if (v <= 0) {
            throw new ConfigException(file + ": field '" + field + "' must be positive, got " + v);
        }
        return v;
    }

    public int optInt(String field, int fallback) {
        return has(field) ? requireInt(field) : fallback;
    }

    /** An integer that may be zero or negative (token ids), or the fallback when absent or null. */
    public int optId(String field, int fallback) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber()) {
            throw new ConfigException(file + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    public double optDouble(String field, double fallback) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new ConfigException(file + ": field '" + field + "' must be a number, got " + n);
        }
        return n.doubleValue();
    }

    public boolean optBool(String field, boolean fallback) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new ConfigException(file + ": field '" + field + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    public String optString(String field, String fallback) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    public List<String> architectures() {
        List<String> out = new ArrayList<>();
        JsonNode n = root.get("architectures");
        if (n != null && n.isArray()) {
            n.forEach(a -> out.add(a.asText()));
        }
        return out;
    }

    /** Labels as transformers reads them: id2label (ids 0..n-1), else num_labels (default 2) generic names. */
    public List<String> labels() {
        JsonNode n = root.get("id2label");
        if (n != null && n.isObject() && n.size() > 0) {
            Map<Integer, String> byId = new TreeMap<>();
            var it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                try {
                    byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new ConfigException(file + ": id2label key '" + e.getKey() + "' is not an integer id");
                }
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < byId.size(); i++) {
                String label = byId.get(i);
                if (label == null) {
                    throw new ConfigException(file + ": id2label must number its labels 0.." + (byId.size() - 1) + ", id " + i + " is missing");
                }
                out.add(label);
            }
            return out;
        }
        // transformers' PretrainedConfig: without id2label, num_labels (default 2) generic labels LABEL_0..LABEL_{n-1}
        int k = has("num_labels") ? requireInt("num_labels") : 2;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add("LABEL_" + i);
        }
        return out;
    }

    public String file() {
        return file;
    }
}
