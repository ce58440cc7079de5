package dev.slicefine.api.auth;

import dev.slicefine.api.common.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** Who is calling: the tenant every resource is scoped to, the key used, and whether it is an admin key. */
public record Caller(UUID tenantId, UUID keyId, boolean admin) {

    public void requireAdmin() {
        if (!admin) {
            throw new ApiException(HttpStatus.FORBIDDEN, "admin_required", "This needs an admin key");
        }
    }
}
