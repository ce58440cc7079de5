package dev.slicefine.api.uploads;

import dev.slicefine.api.common.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An uploads row (V1); metadata is the CreateUploadRequest as JSON. */
@Entity
@Table(name = "uploads")
class UploadEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    @Enumerated(EnumType.STRING)
    private UploadPurpose purpose;
    private String filename;
    private long totalSize;
    @JdbcTypeCode(SqlTypes.JSON)
    private String metadata;
    private String status;
    private UUID resultId;
    @Generated
    @Column(insertable = false, updatable = false)
    private Instant updatedAt;

    /** The row's values, as the upload service reads them. */
    record Row(UUID id, UploadPurpose purpose, String filename, long size, String metadata, String status,
               UUID resultId, Instant createdAt, Instant updatedAt) {}

    protected UploadEntity() {}

    UploadEntity(UUID id, UUID tenantId, UploadPurpose purpose, String filename, long totalSize, String metadata) {
        this.id = id;
        this.tenantId = tenantId;
        this.purpose = purpose;
        this.filename = filename;
        this.totalSize = totalSize;
        this.metadata = metadata;
        this.status = "open";
    }

    @Override
    public UUID getId() {
        return id;
    }

    Row row() {
        return new Row(id, purpose, filename, totalSize, metadata, status, resultId, createdAt(), updatedAt);
    }
}
