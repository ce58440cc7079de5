package dev.slicefine.api.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/** {@code tenantId} and {@code admin} are for admin callers; others get a key for their own tenant. */
public record CreateKeyRequest(@NotBlank @Size(max = 100) String name, UUID tenantId, Boolean admin) {}
