package dev.slicefine.api.auth;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface TenantRepository extends JpaRepository<TenantEntity, UUID> {
    Optional<TenantEntity> findByName(String name);

    List<TenantEntity> findAllByOrderByCreatedAtAscIdAsc();
}
