package dev.slicefine.api.common;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * jsonb columns are mapped as their JSON text (Hibernate's JSON type on a String passes it through); this reads
 * such a text as a tree. A tree does not depend on property naming, so a plain mapper reads it as Spring's would.
 */
public final class JsonColumns {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonColumns() {}

    public static JsonNode tree(String json) {
        return json == null ? null : JSON.readTree(json);
    }
}
