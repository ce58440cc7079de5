package dev.slicefine.api.auth;

import dev.slicefine.api.common.ApiException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

@Service
public class TenantService {
    private final TenantRepository tenants;

    TenantService(TenantRepository tenants) {
        this.tenants = tenants;
    }

    public Tenant create(String name) {
        try {
            return tenants.saveAndFlush(new TenantEntity(UUID.randomUUID(), name)).view();
        } catch (DataIntegrityViolationException e) {
            throw ApiException.conflict("tenant_exists", "A tenant named '" + name + "' already exists");
        }
    }

    public Tenant get(UUID id) {
        return tenants.findById(id).map(TenantEntity::view).orElseThrow(() -> ApiException.notFound("Tenant"));
    }

    public Optional<Tenant> findByName(String name) {
        return tenants.findByName(name).map(TenantEntity::view);
    }

    public List<Tenant> list() {
        return tenants.findAllByOrderByCreatedAtAscIdAsc().stream().map(TenantEntity::view).toList();
    }
}
