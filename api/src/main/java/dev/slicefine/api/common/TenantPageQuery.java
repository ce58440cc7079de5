package dev.slicefine.api.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One page of a tenant's rows, newest first, with optional filters: the keyset pagination every list endpoint uses
 * ({@code (created_at, id) < cursor}, matching the {@code (tenant_id, created_at DESC, id DESC)} indexes).
 */
public final class TenantPageQuery {
    private final StringBuilder sql;
    private final Map<String, Object> params = new HashMap<>();

    public TenantPageQuery(String columns, String table, UUID tenantId) {
        sql = new StringBuilder("SELECT " + columns + " FROM " + table + " WHERE tenant_id = :t");
        params.put("t", tenantId);
    }

    /** Adds {@code AND condition} binding {@code :param} to value, unless value is null (no filter). */
    public TenantPageQuery where(String condition, String param, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.put(param, value instanceof Enum<?> e ? e.name() : value);
        }
        return this;
    }

    /** Case-insensitive substring match on name, with LIKE's wildcards taken literally. */
    public TenantPageQuery nameContains(String name) {
        return where("name ILIKE :name ESCAPE '\\'", "name",
                name == null ? null : "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }

    public <T> List<T> list(JdbcClient jdbc, Cursor after, int limit, RowMapper<T> mapper) {
        if (after != null) {
            sql.append(" AND (created_at, id) < (:cAt, :cId)");
            params.put("cAt", Rows.offset(after.createdAt()));
            params.put("cId", after.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
        params.put("limit", limit);
        return jdbc.sql(sql.toString()).params(params).query(mapper).list();
    }
}
