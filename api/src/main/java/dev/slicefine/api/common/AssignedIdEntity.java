package dev.slicefine.api.common;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Generated;
import org.springframework.data.domain.Persistable;

/**
 * An entity whose UUID the api assigns before saving (without this, Spring Data sees a non-null id, calls
 * {@code merge} and reads the row it is about to insert), and whose created_at is the database's now(), read back
 * after the insert.
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {
    @Transient
    private boolean stored;
    @Generated
    @Column(insertable = false, updatable = false)
    private Instant createdAt;

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public boolean isNew() {
        return !stored;
    }

    @PostLoad
    @PostPersist
    void markStored() {
        stored = true;
    }
}
