package dev.slicefine.api.common;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** One JSON convention: every documented property and parameter, and what the server actually writes, is snake_case. */
class SnakeCaseApiIT extends ApiTestBase {
    private static final Pattern CAMEL = Pattern.compile(".*[a-z0-9][A-Z].*");

    @Test
    void everyDocumentedPropertyAndParameterIsSnakeCase() {
        JsonNode docs = http.get("/v3/api-docs", null).json();
        List<String> camel = new ArrayList<>();
        for (Map.Entry<String, JsonNode> schema : docs.get("components").get("schemas").properties()) {
            walkSchema(schema.getKey(), schema.getValue(), camel);
        }
        for (Map.Entry<String, JsonNode> path : docs.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                JsonNode params = op.getValue().get("parameters");
                if (params == null) {
                    continue;
                }
                for (JsonNode p : params) {
                    String in = p.get("in").asString();
                    String name = p.get("name").asString();
                    // Header names (Idempotency-Key, Last-Event-ID, Range) follow HTTP, not JSON.
                    if (!in.equals("header") && CAMEL.matcher(name).matches()) {
                        camel.add(op.getKey().toUpperCase() + " " + path.getKey() + " ?" + name);
                    }
                }
            }
        }
        assertThat(docs.get("components").get("schemas").size()).as("schemas documented").isGreaterThan(10);
        assertThat(camel).as("camelCase names in /v3/api-docs").isEmpty();
    }

    @Test
    void responsesAndProblemsAreWrittenInSnakeCase() {
        TenantKey t = newTenant();
        Http.Response key = http.postJson("/v1/keys", t.key(), "{\"name\":\"second\"}");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        assertNoCamel("POST /v1/keys", key.json());
        Http.Response tenants = http.get("/v1/tenants", ADMIN_KEY);
        assertNoCamel("GET /v1/tenants", tenants.json());
        Http.Response models = http.get("/v1/models", t.key());
        assertNoCamel("GET /v1/models", models.json());
        Http.Response problem = http.postJson("/v1/keys", t.key(), "{}");
        assertNoCamel("problem", problem.json());
    }

    private static void walkSchema(String where, JsonNode schema, List<String> camel) {
        JsonNode props = schema.get("properties");
        if (props != null) {
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                if (CAMEL.matcher(p.getKey()).matches()) {
                    camel.add(where + "." + p.getKey());
                }
                walkSchema(where + "." + p.getKey(), p.getValue(), camel);
            }
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            walkSchema(where + "[]", items, camel);
        }
    }

    private static void assertNoCamel(String where, JsonNode node) {
        List<String> camel = new ArrayList<>();
        collect(where, node, camel);
        assertThat(camel).as("camelCase keys in " + where + ": " + node).isEmpty();
    }

    private static void collect(String where, JsonNode node, List<String> camel) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (CAMEL.matcher(e.getKey()).matches()) {
                    camel.add(where + "." + e.getKey());
                }
                collect(where + "." + e.getKey(), e.getValue(), camel);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                collect(where + "[]", n, camel);
            }
        }
    }
}
