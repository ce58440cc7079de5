package dev.slicefine.api.auth;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface ApiKeyRepository extends JpaRepository<ApiKeyEntity, UUID> {
    List<ApiKeyEntity> findByPrefixAndRevokedAtIsNull(String prefix);

    Optional<ApiKeyEntity> findByKeyHash(byte[] hash);

    List<ApiKeyEntity> findByTenantIdOrderByCreatedAtAscIdAsc(UUID tenantId);

    boolean existsByAdminTrueAndRevokedAtIsNull();

    /** One statement, guarded by revoked_at: of two concurrent revokes, one wins. */
    @Transactional
    @Modifying
    @Query("update ApiKeyEntity k set k.revokedAt = current_timestamp where k.id = :id and k.revokedAt is null")
    int revoke(UUID id);

    @Transactional
    @Modifying
    @Query("update ApiKeyEntity k set k.lastUsedAt = current_timestamp where k.id = :id")
    void touch(UUID id);
}
