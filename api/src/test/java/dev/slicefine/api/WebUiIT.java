package dev.slicefine.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard's static files at "/": no key needed, CSP on pages, deep links answer index.html, /v1 untouched. */
class WebUiIT extends ApiTestBase {

    @Test
    void servesTheDashboardWithACspAndDeepLinks() {
        Http.Response index = http.get("/", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.body()).contains("<div id=\"root\"></div>");
        assertThat(index.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        assertThat(index.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(index.header("Cache-Control")).isEqualTo("no-cache");

        Http.Response deep = http.get("/jobs/0b3c2a9e-8a55-4a43-9c1e-2f5f1c1d2e3f?tab=events", null);
        assertThat(deep.status()).isEqualTo(200);
        assertThat(deep.body()).isEqualTo(index.body());

        Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index.body());
        assertThat(script.find()).as(index.body()).isTrue();
        Http.Response js = http.get(script.group(1), null);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Cache-Control")).contains("immutable").contains("max-age=31536000");

        assertThat(http.get("/assets/missing-0000.js", null).status()).isEqualTo(404);
    }

    @Test
    void apiPathsAreNotTheDashboard() {
        Http.Response v1 = http.get("/v1/jobs", null);
        assertThat(v1.status()).isEqualTo(401);
        assertThat(v1.header("Content-Type")).contains("problem+json");
        Http.Response unknown = http.get("/v1/nothing-here", ADMIN_KEY);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).doesNotContain("<div id=\"root\">");
        Http.Response health = http.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        assertThat(http.get("/v3/api-docs", null).body()).contains("openapi");
    }
}
