package dev.slicefine.api.common;

import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/**
 * An entity whose UUID the api assigns before saving: without this, Spring Data sees a non-null id, calls
 * {@code merge} and reads the row it is about to insert.
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {
    @Transient
    private boolean stored;

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
