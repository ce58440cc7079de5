package dev.slicefine.api.auth;

import dev.slicefine.api.common.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

@Service
public class TenantService {
    private final JdbcClient jdbc;

    TenantService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Tenant create(String name) {
        UUID id = UUID.randomUUID();
        try {
            jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)").param("id", id).param("name", name).update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("tenant_exists", "A tenant named '" + name + "' already exists");
        }
        return get(id);
    }

    public Tenant get(UUID id) {
        return jdbc.sql("SELECT id, name, created_at FROM tenants WHERE id = :id").param("id", id)
                .query(TenantService::map).optional().orElseThrow(() -> ApiException.notFound("Tenant"));
    }

    public Optional<Tenant> findByName(String name) {
        return jdbc.sql("SELECT id, name, created_at FROM tenants WHERE name = :name").param("name", name)
                .query(TenantService::map).optional();
    }

    public List<Tenant> list() {
        return jdbc.sql("SELECT id, name, created_at FROM tenants ORDER BY created_at, id").query(TenantService::map).list();
    }

    private static Tenant map(ResultSet rs, int row) throws SQLException {
        return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
