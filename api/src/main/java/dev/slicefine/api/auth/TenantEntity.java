package dev.slicefine.api.auth;

import dev.slicefine.api.common.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** A tenants row (V1). created_at is the database's now(), read back after the insert. */
@Entity
@Table(name = "tenants")
class TenantEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private String name;
    @Generated
    @Column(insertable = false, updatable = false)
    private Instant createdAt;

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
        return new Tenant(id, name, createdAt);
    }
}
