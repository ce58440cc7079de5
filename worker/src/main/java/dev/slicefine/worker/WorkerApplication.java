package dev.slicefine.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.annotation.Import;

/**
 * A standalone worker: the same database and storage as the api, and a web server for Actuator health only
 * ({@code server.port}, default 8081 or {@code SLICEFINE_WORKER_PORT}: liveness, and readiness that is down while the
 * database is unreachable). It needs
 * {@code spring.datasource.url}: the api's embedded PostgreSQL belongs to the api process and cannot be shared by
 * starting another one on the same data dir.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(WorkerPoolConfiguration.class)
public class WorkerApplication {
    public static void main(String[] args) {
        application().run(args);
    }

    static SpringApplication application() {
        SpringApplication app = new SpringApplication(WorkerApplication.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        app.addListeners((ApplicationEnvironmentPreparedEvent e) -> {
            String url = e.getEnvironment().getProperty("spring.datasource.url");
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("A standalone worker needs the api's database: pass --db-url (or set"
                        + " spring.datasource.url / SPRING_DATASOURCE_URL). It cannot start its own embedded PostgreSQL:"
                        + " the api owns the one in <data-dir>/postgres; the api logs its JDBC URL at start.");
            }
        });
        return app;
    }
}
