package dev.slicefine.api.datasets;

import dev.slicefine.api.common.AssignedIdEntity;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.data.ValidationReport;
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
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** A datasets row (V1, V4): the uploaded file's blob, its field names and the engine's validation report. */
@Entity
@Table(name = "datasets")
class DatasetEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    @Enumerated(EnumType.STRING)
    private DatasetFormat format;
    @Enumerated(EnumType.STRING)
    private ValidationStatus status;
    private String filename;
    private String blobSha256;
    private long size;
    private String task;
    private String textField;
    private String labelField;
    private String textPairField;
    private String promptField;
    private String completionField;
    @JdbcTypeCode(SqlTypes.JSON)
    private String report;
    @Generated
    @Column(insertable = false, updatable = false)
    private Instant updatedAt;

    protected DatasetEntity() {}

    /** fields: null for an image dataset; task: null to infer it at validation. */
    DatasetEntity(UUID id, UUID tenantId, String name, DatasetFormat format, String filename, String blobSha256, long size,
                  Task task, DatasetFields fields) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.format = format;
        this.status = ValidationStatus.validating;
        this.filename = filename;
        this.blobSha256 = blobSha256;
        this.size = size;
        this.task = task == null ? null : task.id();
        if (fields != null) {
            textField = fields.text();
            labelField = fields.label();
            textPairField = fields.textPair();
            promptField = fields.prompt();
            completionField = fields.completion();
        }
    }

    @Override
    public UUID getId() {
        return id;
    }

    ValidationStatus status() {
        return status;
    }

    DatasetView view(JsonMapper json) {
        DatasetFields fields = format == DatasetFormat.imagefolder ? null
                : new DatasetFields(textField, labelField, textPairField, promptField, completionField);
        return new DatasetView(id, name, format, status, filename, size, blobSha256, task, fields,
                report == null ? null : json.readerFor(ValidationReport.class)
                        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(report),
                createdAt(), updatedAt);
    }
}
