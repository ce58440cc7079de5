package dev.slicefine.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.common.TenantPageQuery;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.support.ApiTestBase;
import jakarta.persistence.EntityManagerFactory;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The keyset pagination of every list endpoint ({@link TenantPageQuery}), run as a Spring Data query against the
 * Flyway schema in the real PostgreSQL: newest first, ties on created_at broken by id, no row lost or repeated at a
 * page boundary, and never another tenant's row.
 */
class KeysetPagingIT extends ApiTestBase {
    private static final OffsetDateTime SAME = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 123_456_000, ZoneOffset.UTC);

    @Autowired
    ModelRepository models;

    @Autowired
    EntityManagerFactory entityManagerFactory;

    @Test
    void hibernateValidatedTheMappingsAgainstTheFlywaySchema() {
        assertThat(entityManagerFactory.isOpen()).isTrue();
        assertThat(entityManagerFactory.getProperties()).containsEntry("hibernate.hbm2ddl.auto", "validate");
        assertThat(entityManagerFactory.getMetamodel().getEntities()).extracting(e -> e.getJavaType().getSimpleName())
                .contains("TenantEntity", "ApiKeyEntity", "ModelEntity", "DatasetEntity", "UploadEntity",
                        "ArtifactEntity", "JobEntity", "JobEventEntity", "JobMetricEntity", "EvaluationResultEntity");
    }

    @Test
    void pagesWalkEveryRowOnceNewestFirstWithEqualTimestampsOrderedById() {
        UUID tenant = tenant();
        UUID other = tenant();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(model(tenant, "same-" + i, SAME));
            model(other, "same-" + i, SAME); // same timestamps, other tenant: never listed
        }
        UUID newest = model(tenant, "newest", SAME.plusSeconds(1));
        UUID oldest = model(tenant, "oldest", SAME.minusNanos(1_000)); // one microsecond earlier

        List<UUID> expected = new ArrayList<>();
        expected.add(newest);
        // PostgreSQL orders uuids by their bytes, as their text (lowercase hex) sorts.
        ids.stream().sorted(Comparator.comparing(UUID::toString).reversed()).forEach(expected::add);
        expected.add(oldest);

        List<UUID> walked = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            Page<UUID> page = page(tenant, null, null, cursor, 2);
            walked.addAll(page.items());
            sizes.add(page.items().size());
            cursor = page.nextCursor();
        } while (cursor != null);

        assertThat(walked).containsExactlyElementsOf(expected);
        assertThat(sizes).containsExactly(2, 2, 2, 1);
        assertThat(page(tenant, null, null, null, 7).nextCursor()).as("an exact last page has no next cursor").isNull();
    }

    @Test
    void filtersApplyWithinTheTenantAndNameWildcardsAreLiteral() {
        UUID tenant = tenant();
        UUID percent = model(tenant, "bert 100% tiny", SAME);
        model(tenant, "bert 100x tiny", SAME);
        UUID underscore = model(tenant, "llama_tiny", SAME);
        model(tenant, "llamaXtiny", SAME);
        model(tenant(), "bert 100% tiny", SAME);

        assertThat(page(tenant, null, "100%", null, 10).items()).containsExactly(percent);
        assertThat(page(tenant, null, "LLAMA_", null, 10).items()).containsExactly(underscore);
        jdbc.sql("UPDATE models SET status = 'ready' WHERE id = :id").param("id", underscore).update();
        assertThat(page(tenant, ValidationStatus.ready, null, null, 10).items()).containsExactly(underscore);
        assertThat(page(tenant, ValidationStatus.validating, null, null, 10).items()).isEmpty();
    }

    /** One page as ModelService.list makes it: size + 1 rows, the extra one only says a next page exists. */
    private Page<UUID> page(UUID tenant, ValidationStatus status, String name, String cursor, int size) {
        List<ModelEntity> rows = new TenantPageQuery<ModelEntity>(tenant).where("status", status).nameContains(name)
                .list(models, cursor == null ? null : Cursor.decode(cursor), size + 1);
        return Page.of(rows, size, m -> new Cursor(m.createdAt(), m.getId()), ModelEntity::getId);
    }

    private UUID tenant() {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)").param("id", id).param("name", "paging-" + id).update();
        return id;
    }

    private UUID model(UUID tenant, String name, OffsetDateTime createdAt) {
        UUID id = UUID.randomUUID();
        models.save(new ModelEntity(id, tenant, name, "files", "0".repeat(64), null, 0, List.of()));
        jdbc.sql("UPDATE models SET created_at = :at, status = 'invalid' WHERE id = :id").param("at", createdAt).param("id", id).update();
        return id;
    }
}
