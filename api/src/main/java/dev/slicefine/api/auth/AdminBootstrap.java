package dev.slicefine.api.auth;

import dev.slicefine.api.common.SliceFineProperties;
import jakarta.annotation.PostConstruct;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * First start: creates the admin tenant and an admin key, printed once. With {@code SLICEFINE_ADMIN_KEY}
 * (property {@code slicefine.admin-key}) that key is registered instead and nothing is printed.
 */
@Component
class AdminBootstrap {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    static final String ADMIN_TENANT = "admin";

    private final ApiKeyService keys;
    private final ApiKeyRepository repository;
    private final TenantService tenants;
    private final SliceFineProperties properties;
    private final TransactionTemplate tx;
    private final JdbcClient jdbc;

    AdminBootstrap(ApiKeyService keys, ApiKeyRepository repository, TenantService tenants,
                   SliceFineProperties properties, TransactionTemplate tx, JdbcClient jdbc) {
        this.keys = keys;
        this.repository = repository;
        this.tenants = tenants;
        this.properties = properties;
        this.tx = tx;
        this.jdbc = jdbc;
    }

    @PostConstruct
    void ensureAdminKey() {
        String configured = properties.adminKey();
        if (configured != null && !configured.isBlank() && !ApiKeys.plausible(configured.trim())) {
            throw new IllegalStateException("SLICEFINE_ADMIN_KEY must look like sk-<at least 17 characters>");
        }
        String printed = tx.execute(status -> {
            // Two api instances starting together must not both create a key: a PostgreSQL advisory lock, held to commit.
            jdbc.sql("SELECT pg_advisory_xact_lock(7346001)").query().singleRow();
            UUID tenantId = tenants.findByName(ADMIN_TENANT).orElseGet(() -> tenants.create(ADMIN_TENANT)).id();
            if (configured != null && !configured.isBlank()) {
                String key = configured.trim();
                if (repository.findByKeyHash(ApiKeys.hash(key)).isEmpty()) {
                    keys.insert(tenantId, "admin (SLICEFINE_ADMIN_KEY)", true, key);
                    log.info("Registered the admin key from SLICEFINE_ADMIN_KEY ({}...)", ApiKeys.prefix(key));
                }
                return null;
            }
            if (repository.existsByAdminTrueAndRevokedAtIsNull()) {
                return null;
            }
            return keys.insert(tenantId, "admin (first start)", true, ApiKeys.generate()).key();
        });
        if (printed != null) {
            String banner = """

                    ================================================================
                     SliceFine admin API key (shown once, store it now):
                       %s
                    ================================================================
                    """.formatted(printed);
            System.out.println(banner);
            log.warn("Created the first admin API key; it was printed to standard output once.");
        }
    }
}
