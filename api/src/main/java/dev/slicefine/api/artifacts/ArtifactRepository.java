package dev.slicefine.api.artifacts;

import dev.slicefine.api.common.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@Repository
class ArtifactRepository {
    private static final String COLUMNS = "id, job_id, kind, filename, size, blob_sha256, metadata::text AS metadata, created_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ArtifactRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<ArtifactView> list(UUID jobId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM artifacts WHERE job_id = :j ORDER BY created_at, kind")
                .param("j", jobId).query(this::map).list();
    }

    Optional<ArtifactView> find(UUID jobId, String kind) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM artifacts WHERE job_id = :j AND kind = :k")
                .param("j", jobId).param("k", kind).query(this::map).optional();
    }

    /** Inserts the row; false when another request (or process) stored this kind first. */
    boolean insert(UUID id, UUID tenantId, UUID jobId, String kind, String sha256, long size, String filename, ObjectNode metadata) {
        return jdbc.sql("""
                INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename, metadata)
                VALUES (:id, :t, :j, :k, :sha, :size, :f, CAST(:meta AS jsonb))
                ON CONFLICT (job_id, kind) DO NOTHING""")
                .param("id", id).param("t", tenantId).param("j", jobId).param("k", kind).param("sha", sha256)
                .param("size", size).param("f", filename).param("meta", metadata == null ? null : json.writeValueAsString(metadata))
                .update() > 0;
    }

    /** Records another packaging of the artifact (e.g. the tar of a zip diff) in its metadata; false if already set. */
    boolean addVariant(UUID artifactId, String key, String sha256, long size) {
        return jdbc.sql("""
                UPDATE artifacts SET metadata = coalesce(metadata, '{}'::jsonb)
                       || jsonb_build_object(:key, jsonb_build_object('sha256', CAST(:sha AS text), 'size', CAST(:size AS bigint)))
                WHERE id = :id AND coalesce(metadata, '{}'::jsonb) -> CAST(:key AS text) IS NULL""")
                .param("id", artifactId).param("key", key).param("sha", sha256).param("size", size).update() > 0;
    }

    private ArtifactView map(ResultSet rs, int row) throws SQLException {
        String meta = rs.getString("metadata");
        UUID job = rs.getObject("job_id", UUID.class);
        String kind = rs.getString("kind");
        return new ArtifactView(rs.getObject("id", UUID.class), job, kind, rs.getString("filename"), rs.getLong("size"),
                rs.getString("blob_sha256"), meta == null ? null : json.readTree(meta), Rows.instant(rs, "created_at"),
                "/v1/jobs/" + job + "/artifacts/" + kind);
    }
}
