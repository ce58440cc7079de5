package dev.slicefine.api.common;

import jakarta.persistence.criteria.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.query.criteria.HibernateCriteriaBuilder;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/**
 * One page of a tenant's rows, newest first, with optional filters: the keyset pagination every list endpoint uses
 * ({@code (created_at, id) < cursor}, matching the {@code (tenant_id, created_at DESC, id DESC)} indexes). Entities
 * paged this way have the attributes {@code tenantId}, {@code createdAt} and {@code id}.
 */
public final class TenantPageQuery<T> {
    private static final Sort NEWEST_FIRST = Sort.by(Sort.Order.desc("createdAt"), Sort.Order.desc("id"));

    private Specification<T> spec;

    public TenantPageQuery(UUID tenantId) {
        spec = (root, query, cb) -> cb.equal(root.get("tenantId"), tenantId);
    }

    /** Adds {@code attribute = value}, unless value is null (no filter). */
    public TenantPageQuery<T> where(String attribute, Object value) {
        return value == null ? this : and((root, query, cb) -> cb.equal(root.get(attribute), value));
    }

    /** Adds a condition of its own, unless it is null (no filter). */
    public TenantPageQuery<T> and(Specification<T> condition) {
        if (condition != null) {
            spec = spec.and(condition);
        }
        return this;
    }

    /** Case-insensitive substring match on name (ILIKE), with LIKE's wildcards taken literally. */
    public TenantPageQuery<T> nameContains(String name) {
        if (name == null) {
            return this;
        }
        String pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return and((root, query, cb) -> ((HibernateCriteriaBuilder) cb).ilike(root.get("name"), pattern, '\\'));
    }

    /** Up to {@code limit} rows after the cursor (from the newest when null), newest first. */
    public List<T> list(JpaSpecificationExecutor<T> repository, Cursor after, int limit) {
        Specification<T> page = spec;
        if (after != null) {
            // (created_at, id) < (:at, :id), with created_at <= :at first so the index bounds the scan.
            page = page.and((root, query, cb) -> {
                Path<Instant> createdAt = root.get("createdAt");
                Path<UUID> id = root.get("id");
                return cb.and(cb.lessThanOrEqualTo(createdAt, after.createdAt()),
                        cb.or(cb.lessThan(createdAt, after.createdAt()), cb.lessThan(id, after.id())));
            });
        }
        return repository.findBy(page, q -> q.sortBy(NEWEST_FIRST).limit(limit).all());
    }
}
