package dev.slicefine.api.auth;

import dev.slicefine.api.common.AssignedIdEntity;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** A tenants row (V1). created_at is the database's now(), read back after the insert. */
@Entity
@Table(name = "tenants")
class TenantEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private String name;

    protected TenantEntity() {}

    TenantEntity(UUID id, String name) {
        this.id = id;
        this.name = name;
    }

    @Override
    public UUID getId() {
        return id;
    }

    Tenant view() {
        return new Tenant(id, name, createdAt());
    }
}
