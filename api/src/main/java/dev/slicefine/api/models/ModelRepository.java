package dev.slicefine.api.models;

import dev.slicefine.api.common.ValidationStatus;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface ModelRepository extends JpaRepository<ModelEntity, UUID>, JpaSpecificationExecutor<ModelEntity> {
    Optional<ModelEntity> findByIdAndTenantId(UUID id, UUID tenantId);

    @Query("select m.name from ModelEntity m where m.id = :id")
    Optional<String> nameOf(UUID id);

    @Query("select m.id from ModelEntity m where m.status = :status order by m.createdAt")
    List<UUID> idsWithStatus(ValidationStatus status);

    /**
     * Locks the row for a delete; empty if it is not the tenant's. Native: a plain FOR UPDATE, which also blocks a
     * job insert's foreign-key check (KEY SHARE) until the delete commits; FOR NO KEY UPDATE would not.
     */
    @Query(nativeQuery = true, value = "SELECT id FROM models WHERE id = :id AND tenant_id = :tenantId FOR UPDATE")
    Optional<UUID> lock(UUID tenantId, UUID id);

    /** Deletes now (its model_files go by ON DELETE CASCADE), before the blob references are released. */
    @Modifying
    @Query("delete from ModelEntity m where m.id = :id")
    void deleteNow(UUID id);

    /**
     * Records a result; only a model still 'validating' changes, so a deleted or re-validated one is left alone.
     * Native: the guard and the write are one statement, and the report is cast to jsonb.
     */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE models SET status = :status, report = CAST(:report AS jsonb), updated_at = now()
            WHERE id = :id AND status = 'validating'""")
    int finishValidation(UUID id, String status, String report);

    /** Stores what is known so far while the model stays 'validating'. */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE models SET report = CAST(:report AS jsonb), updated_at = now()
            WHERE id = :id AND status = 'validating'""")
    void recordPending(UUID id, String report);
}
