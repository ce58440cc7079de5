package dev.slicefine.api.artifacts;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An artifacts row (V1), read here; rows are written by {@link ArtifactRepository#insert} (ON CONFLICT). */
@Entity
@Immutable
@Table(name = "artifacts")
class ArtifactEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    private UUID jobId;
    private String kind;
    private String blobSha256;
    private long size;
    private String filename;
    @JdbcTypeCode(SqlTypes.JSON)
    private String metadata;
    private Instant createdAt;

    protected ArtifactEntity() {}

    ArtifactView view() {
        return new ArtifactView(id, jobId, kind, filename, size, blobSha256, dev.slicefine.api.common.JsonColumns.tree(metadata),
                createdAt, "/v1/jobs/" + jobId + "/artifacts/" + kind);
    }
}
