package dev.slicefine.api.auth;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.TextFields;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class ApiKeyService {
    private final ApiKeyRepository keys;
    private final TenantService tenants;

    ApiKeyService(ApiKeyRepository keys, TenantService tenants) {
        this.keys = keys;
        this.tenants = tenants;
    }

    /** The caller a presented key stands for, if it is a live key. Hashes are compared in constant time. */
    Optional<Caller> authenticate(String presented) {
        if (!ApiKeys.plausible(presented)) {
            return Optional.empty();
        }
        byte[] hash = ApiKeys.hash(presented);
        for (ApiKeyEntity row : keys.findByPrefixAndRevokedAtIsNull(ApiKeys.prefix(presented))) {
            if (MessageDigest.isEqual(row.keyHash(), hash)) {
                ApiKeyView key = row.view();
                if (key.lastUsedAt() == null || key.lastUsedAt().isBefore(Instant.now().minus(Duration.ofMinutes(1)))) {
                    keys.touch(key.id());
                }
                return Optional.of(new Caller(key.tenantId(), key.id(), key.admin()));
            }
        }
        return Optional.empty();
    }

    /** Whether the key behind {@code caller} is still live (not revoked, still of its tenant): long streams ask again. */
    public boolean stillValid(Caller caller) {
        return keys.findById(caller.keyId()).map(ApiKeyEntity::view)
                .filter(k -> k.revokedAt() == null && k.tenantId().equals(caller.tenantId()))
                .isPresent();
    }

    @Transactional
    public CreatedKey create(Caller caller, CreateKeyRequest request) {
        TextFields.check("name", request.name());
        UUID tenantId = caller.tenantId();
        boolean admin = Boolean.TRUE.equals(request.admin());
        if (request.tenantId() != null && !request.tenantId().equals(caller.tenantId())) {
            if (!caller.admin()) {
                throw ApiException.notFound("Tenant");
            }
            tenantId = tenants.get(request.tenantId()).id();
        }
        if (admin) {
            caller.requireAdmin();
        }
        return insert(tenantId, request.name(), admin, ApiKeys.generate());
    }

    CreatedKey insert(UUID tenantId, String name, boolean admin, String key) {
        UUID id = UUID.randomUUID();
        keys.save(new ApiKeyEntity(id, tenantId, name, ApiKeys.prefix(key), ApiKeys.hash(key), admin));
        return new CreatedKey(id, tenantId, name, ApiKeys.prefix(key), admin, Instant.now(), key);
    }

    public List<ApiKeyView> list(Caller caller, UUID tenantId) {
        UUID target = tenantId == null ? caller.tenantId() : tenantId;
        if (!target.equals(caller.tenantId()) && !caller.admin()) {
            throw ApiException.notFound("Tenant");
        }
        return keys.findByTenantIdOrderByCreatedAtAscIdAsc(target).stream().map(ApiKeyEntity::view).toList();
    }

    @Transactional
    public void revoke(Caller caller, UUID id) {
        ApiKeyView row = keys.findById(id).map(ApiKeyEntity::view)
                .filter(k -> caller.admin() || k.tenantId().equals(caller.tenantId()))
                .orElseThrow(() -> ApiException.notFound("API key"));
        if (row.revokedAt() != null) {
            throw new ApiException(HttpStatus.CONFLICT, "already_revoked", "This key is already revoked");
        }
        keys.revoke(id);
    }
}
