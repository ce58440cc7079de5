package dev.slicefine.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON for jsonb columns (Jackson 2, as the engine uses). */
final class JobQueueJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private JobQueueJson() {}

    static String write(Object o) {
        try {
            return o == null ? null : JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static JsonNode read(String s) {
        try {
            return s == null ? null : JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
