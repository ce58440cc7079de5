package dev.slicefine.worker.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.finetune.FineTuneConfig;
import java.net.URI;
import java.util.Set;

/**
 * The {@code jobs.config} jsonb column: the engine's {@link FineTuneConfig} JSON (its rules are the only ones) plus the
 * fields the service reads itself ({@code webhook_url}).
 */
public final class StoredConfig {
    public static final Set<String> SERVICE_FIELDS = Set.of("webhook_url");
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredConfig() {}

    /** The engine's records; throws {@link dev.slicefine.engine.config.InvalidConfigException} naming every bad field. */
    public static FineTuneConfig parse(String json) {
        return FineTuneConfig.parse(json, SERVICE_FIELDS);
    }

    /** webhook_url of a stored config, or null. */
    public static String webhookUrl(String json) {
        try {
            JsonNode url = JSON.readTree(json).get("webhook_url");
            return url == null || !url.isTextual() ? null : url.asText();
        } catch (Exception e) {
            return null;
        }
    }

    /** The error for a webhook_url that is not an absolute http(s) URL with a host, or null when it is one. */
    public static ConfigError webhookError(Object url) {
        if (url instanceof String s) {
            try {
                URI u = new URI(s);
                if (("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                        && u.getHost() != null && !u.getHost().isBlank()) {
                    return null;
                }
            } catch (Exception e) {
                // not a URI: the same answer as any other bad value
            }
        }
        return new ConfigError("webhook_url", "invalid_url", "must be an absolute http:// or https:// URL");
    }
}
