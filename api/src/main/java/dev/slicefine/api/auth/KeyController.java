package dev.slicefine.api.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/keys")
@Tag(name = "API keys")
class KeyController {
    private final ApiKeyService service;

    KeyController(ApiKeyService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Create a key; the secret is in this answer only")
    ResponseEntity<CreatedKey> create(Caller caller, @Valid @RequestBody CreateKeyRequest request) {
        CreatedKey key = service.create(caller, request);
        // The secret is in this answer only: no cache, proxy or browser may keep it.
        return ResponseEntity.created(URI.create("/v1/keys/" + key.id()))
                .cacheControl(org.springframework.http.CacheControl.noStore()).header("Pragma", "no-cache").body(key);
    }

    @GetMapping
    @Operation(summary = "List the keys of the caller's tenant (admins: of any tenant)")
    List<ApiKeyView> list(Caller caller, @RequestParam(name = "tenant_id", required = false) UUID tenantId) {
        return service.list(caller, tenantId);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke a key; it stops working at once")
    ResponseEntity<Void> revoke(Caller caller, @PathVariable UUID id) {
        service.revoke(caller, id);
        return ResponseEntity.noContent().build();
    }
}
