package dev.slicefine.api.artifacts;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface ArtifactRepository extends JpaRepository<ArtifactEntity, UUID> {
    List<ArtifactEntity> findByJobIdOrderByCreatedAtAscKindAsc(UUID jobId);

    Optional<ArtifactEntity> findByJobIdAndKind(UUID jobId, String kind);

    /**
     * Inserts the row; 0 when another request (or process) stored this kind first. Native: PostgreSQL's
     * ON CONFLICT DO NOTHING decides the race on the (job_id, kind) unique key in one statement.
     */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename)
            SELECT :id, j.tenant_id, j.id, :kind, :sha, :size, :filename FROM jobs j WHERE j.id = :jobId
            ON CONFLICT (job_id, kind) DO NOTHING""")
    int insert(UUID id, UUID jobId, String kind, String sha, long size, String filename);

    /**
     * Records another packaging of the artifact (e.g. the tar of a zip diff) in its metadata; 0 if already set.
     * Native: one jsonb merge guarded by the key's absence, so two concurrent requests cannot both record one.
     */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE artifacts SET metadata = coalesce(metadata, '{}'::jsonb)
                   || jsonb_build_object(:key, jsonb_build_object('sha256', CAST(:sha AS text), 'size', CAST(:size AS bigint)))
            WHERE id = :id AND coalesce(metadata, '{}'::jsonb) -> CAST(:key AS text) IS NULL""")
    int addVariant(UUID id, String key, String sha, long size);
}
