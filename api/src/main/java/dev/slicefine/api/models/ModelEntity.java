package dev.slicefine.api.models;

import dev.slicefine.api.common.AssignedIdEntity;
import dev.slicefine.api.common.ValidationStatus;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A models row (V1) with its model_files. The files are loaded with the model, a page of models' files in one
 * batched query (hibernate.default_batch_fetch_size), never one query per model.
 */
@Entity
@Table(name = "models")
class ModelEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    @Enumerated(EnumType.STRING)
    private ValidationStatus status;
    private String sourceFormat;
    private String sha256;
    private String uploadSha256;
    private long totalSize;
    @JdbcTypeCode(SqlTypes.JSON)
    private String report;
    @Generated
    @Column(insertable = false, updatable = false)
    private Instant updatedAt;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "model_files", joinColumns = @JoinColumn(name = "model_id"))
    @OrderBy("path")
    private List<File> files = new ArrayList<>();

    /** A model_files row. */
    @Embeddable
    record File(String path, String blobSha256, long size) {
        ModelFileView view() {
            return new ModelFileView(path, size, blobSha256);
        }
    }

    protected ModelEntity() {}

    ModelEntity(UUID id, UUID tenantId, String name, String sourceFormat, String sha256, String uploadSha256,
                long totalSize, List<File> files) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.status = ValidationStatus.validating;
        this.sourceFormat = sourceFormat;
        this.sha256 = sha256;
        this.uploadSha256 = uploadSha256;
        this.totalSize = totalSize;
        this.files.addAll(files);
    }

    @Override
    public UUID getId() {
        return id;
    }

    ValidationStatus status() {
        return status;
    }

    List<ModelFileView> files() {
        return files.stream().map(File::view).toList();
    }

    ModelView view(JsonMapper json) {
        return new ModelView(id, name, status, sourceFormat, sha256, uploadSha256, totalSize, files(),
                report == null ? null : json.readerFor(ModelReport.class)
                        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(report),
                createdAt(), updatedAt);
    }
}
