package dev.slicefine.api.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Tenants are managed by admin keys only. */
@RestController
@RequestMapping("/v1/tenants")
@Tag(name = "Tenants (admin)")
class TenantController {
    private final TenantService tenants;

    TenantController(TenantService tenants) {
        this.tenants = tenants;
    }

    @PostMapping
    @Operation(summary = "Create a tenant (admin key)")
    ResponseEntity<Tenant> create(Caller caller, @Valid @RequestBody CreateTenantRequest request) {
        caller.requireAdmin();
        Tenant tenant = tenants.create(request.name());
        return ResponseEntity.created(URI.create("/v1/tenants/" + tenant.id())).body(tenant);
    }

    @GetMapping
    @Operation(summary = "List tenants (admin key)")
    List<Tenant> list(Caller caller) {
        caller.requireAdmin();
        return tenants.list();
    }

    @GetMapping("/{id}")
    @Operation(summary = "Get a tenant (admin key)")
    Tenant get(Caller caller, @PathVariable UUID id) {
        caller.requireAdmin();
        return tenants.get(id);
    }
}
