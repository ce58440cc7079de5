package dev.slicefine.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The dashboard (web-ui module, classpath:/static): its pages carry a strict Content-Security-Policy (scripts, styles
 * and connections from this origin only; no inline scripts), hashed {@code /assets/*} files are cached for a year, and
 * a deep link such as {@code /jobs/<id>} is answered with index.html so a refresh restores the same view. The files
 * need no API key (the page holds the key and sends it with its /v1 calls). API, OpenAPI, Swagger UI, actuator and
 * error paths pass through untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class WebUiFilter extends OncePerRequestFilter {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private static final List<String> NOT_UI = List.of("/v1", "/v3", "/actuator", "/swagger-ui", "/error");
    /** The dashboard's own routes (web-ui/src/App.tsx): only these render the app; any other path stays a 404. */
    private static final java.util.regex.Pattern ROUTES =
            java.util.regex.Pattern.compile("/|/index\\.html|/(jobs|launch|models|datasets|compare|admin)(/[A-Za-z0-9_-]*)*");

    private final boolean hasIndex = new ClassPathResource("static/index.html").exists();

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = path(request);
        for (String prefix : NOT_UI) {
            if (path.equals(prefix) || path.startsWith(prefix + "/") || path.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = path(request);
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Frame-Options", "DENY");
        if (path.startsWith("/assets/")) {
            // Vite puts a content hash in every asset name: a changed file is a new URL.
            response.setHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable");
            chain.doFilter(request, response);
            return;
        }
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (read && hasIndex && !last.contains(".") && ROUTES.matcher(path).matches()) {
            // "/" and client-side routes (/jobs, /jobs/<id>, /admin, ...) all render the app.
            request.getRequestDispatcher("/index.html").forward(request, response);
            return;
        }
        chain.doFilter(request, response);
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
