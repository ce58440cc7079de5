package dev.slicefine.api.auth;

import dev.slicefine.api.common.Problems;
import dev.slicefine.api.common.RequestHygieneFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * Every {@code /v1/**} request needs {@code Authorization: Bearer sk-...}; the caller is put on the request. Decided
 * on the path the dispatcher routes (decoded, normalised) as well as the raw one, so {@code /%761/models} or
 * {@code /v1/./keys} cannot slip past.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyFilter extends OncePerRequestFilter {
    static final String CALLER_ATTRIBUTE = Caller.class.getName();

    private final ApiKeyService keys;
    private final ObjectMapper json;

    ApiKeyFilter(ApiKeyService keys, ObjectMapper json) {
        this.keys = keys;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String raw = request.getRequestURI().substring(request.getContextPath().length());
        return !(api(raw) || api(RequestHygieneFilter.routedPath(request)));
    }

    private static boolean api(String path) {
        return path.equals("/v1") || path.startsWith("/v1/") || path.startsWith("/v1;");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<Caller> caller = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            caller = keys.authenticate(header.substring(7).trim());
        }
        if (caller.isEmpty()) {
            String detail = header == null ? "Missing Authorization: Bearer <api key>" : "Invalid or revoked API key";
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            var problem = Problems.of(HttpStatus.UNAUTHORIZED, "unauthorized", detail);
            json.writeValue(response.getOutputStream(), problem);
            return;
        }
        request.setAttribute(CALLER_ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }
}
