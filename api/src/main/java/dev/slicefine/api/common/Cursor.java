package dev.slicefine.api.common;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Keyset cursor over (created_at DESC, id DESC): opaque to clients, stable under inserts. */
public record Cursor(Instant createdAt, UUID id) {

    public String encode() {
        String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static Cursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split(":", 3);
            return new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                    UUID.fromString(parts[2]));
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_cursor", "The cursor is not one this server issued");
        }
    }

    public static int limit(Integer requested) {
        if (requested == null) return 20;
        if (requested < 1 || requested > 100) {
            throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and 100");
        }
        return requested;
    }
}
