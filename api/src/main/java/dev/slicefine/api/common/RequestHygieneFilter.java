package dev.slicefine.api.common;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs before authentication on every request: security headers on every answer, and a 400 for request lines that
 * mean something else to the container than they seem to (path parameters {@code ;}, control characters in the
 * path, a query string that does not decode or carries control characters, which are refused here with the
 * parameter's name, once for every {@code ?name=} filter).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class RequestHygieneFilter extends OncePerRequestFilter {
    private final ObjectMapper json;

    RequestHygieneFilter(ObjectMapper json) {
        this.json = json;
    }

    /** The path the dispatcher routes: decoded, dot segments and path parameters removed by the container. */
    public static String routedPath(HttpServletRequest request) {
        String servlet = request.getServletPath() == null ? "" : request.getServletPath();
        String info = request.getPathInfo() == null ? "" : request.getPathInfo();
        return servlet + info;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Frame-Options", "DENY");
        String raw = request.getRequestURI();
        if (raw.indexOf(';') >= 0 || !TextFields.clean(routedPath(request)) || !TextFields.clean(raw)) {
            refuse(request, response, "invalid_path", "The path has parameters (';') or control characters");
            return;
        }
        String query = request.getQueryString();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name;
                String value;
                try {
                    name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    refuse(request, response, "invalid_query", "The query string is not valid percent-encoding");
                    return;
                }
                if (!TextFields.clean(name) || !TextFields.clean(value)) {
                    refuse(request, response, "control_characters", (TextFields.clean(name) ? name : "query parameter")
                            + ": must not contain control characters (NUL, CR, LF, TAB, DEL, ...)");
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String code, String detail)
            throws IOException {
        response.setStatus(HttpStatus.BAD_REQUEST.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), Problems.of(HttpStatus.BAD_REQUEST, code, detail));
    }
}
