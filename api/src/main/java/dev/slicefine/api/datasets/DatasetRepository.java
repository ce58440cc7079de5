package dev.slicefine.api.datasets;

import dev.slicefine.api.common.ValidationStatus;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface DatasetRepository extends JpaRepository<DatasetEntity, UUID>, JpaSpecificationExecutor<DatasetEntity> {
    Optional<DatasetEntity> findByIdAndTenantId(UUID id, UUID tenantId);

    @Query("select d.id from DatasetEntity d where d.status = :status order by d.createdAt")
    List<UUID> idsWithStatus(ValidationStatus status);

    /**
     * Locks the row for a delete and returns its blob; empty if it is not the tenant's. Native: a plain FOR UPDATE,
     * which also blocks a job insert's foreign-key check (KEY SHARE) until the delete commits.
     */
    @Query(nativeQuery = true, value = "SELECT blob_sha256 FROM datasets WHERE id = :id AND tenant_id = :tenantId FOR UPDATE")
    Optional<String> lockBlob(UUID tenantId, UUID id);

    /** Deletes now, before the blob reference is released. */
    @Modifying
    @Query("delete from DatasetEntity d where d.id = :id")
    void deleteNow(UUID id);

    /**
     * Stores the engine's report and the task it was read for (the uploaded or the inferred one); only a dataset
     * still 'validating' changes. Native: guard and write in one statement, the report cast to jsonb.
     */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE datasets SET status = :status, task = :task, report = CAST(:report AS jsonb), updated_at = now()
            WHERE id = :id AND status = 'validating'""")
    int finishValidation(UUID id, String status, String task, String report);
}
