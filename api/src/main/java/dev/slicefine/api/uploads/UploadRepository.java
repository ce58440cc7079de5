package dev.slicefine.api.uploads;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface UploadRepository extends JpaRepository<UploadEntity, UUID> {
    Optional<UploadEntity> findByIdAndTenantId(UUID id, UUID tenantId);

    @Transactional
    @Modifying
    @Query("update UploadEntity u set u.updatedAt = current_timestamp where u.id = :id")
    void touch(UUID id);

    @Transactional
    @Modifying
    @Query("update UploadEntity u set u.status = 'completed', u.resultId = :resultId, u.updatedAt = current_timestamp where u.id = :id")
    void complete(UUID id, UUID resultId);

    /** Deletes now (not at the end of the transaction), before the upload's file goes. */
    @Transactional
    @Modifying
    @Query("delete from UploadEntity u where u.id = :id")
    void deleteNow(UUID id);

    @Query("select u.id from UploadEntity u where u.status = 'open'")
    List<UUID> openIds();

    @Query("select u.id from UploadEntity u where u.updatedAt < :before")
    List<UUID> untouchedSince(Instant before);
}
