package dev.slicefine.api.support;

import dev.slicefine.worker.support.TestDatabase;
import dev.slicefine.api.SliceFineApplication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts and stops a whole SliceFine server in this JVM, for tests that restart it. */
public final class ServerProcess implements AutoCloseable {
    private final ConfigurableApplicationContext context;

    private ServerProcess(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** @param jdbcUrl null for the embedded PostgreSQL under the data dir */
    public static ServerProcess start(Path dataDir, String jdbcUrl, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--server.shutdown=immediate",
                "--slicefine.data-dir=" + dataDir,
                "--spring.jmx.enabled=false"));
        if (List.of(extra).stream().noneMatch(a -> a.startsWith("--slicefine.admin-key="))) {
            args.add("--slicefine.admin-key=" + ApiTestBase.ADMIN_KEY);
        }
        if (jdbcUrl != null) {
            TestDatabase db = TestDatabase.get();
            args.add("--spring.datasource.url=" + jdbcUrl);
            args.add("--spring.datasource.username=" + db.user());
            args.add("--spring.datasource.password=" + db.password());
        }
        args.addAll(List.of(extra));
        return new ServerProcess(new SpringApplicationBuilder(SliceFineApplication.class)
                .run(args.toArray(String[]::new)));
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public Http http() {
        return new Http(port());
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
