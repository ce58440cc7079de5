package dev.slicefine.api;

import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The first start without SLICEFINE_ADMIN_KEY creates an admin key and prints it once; later starts print nothing. */
@ExtendWith(OutputCaptureExtension.class)
class AdminBootstrapIT {
    private static final Pattern PRINTED = Pattern.compile("SliceFine admin API key \\(shown once, store it now\\):\\s+(sk-\\S+)");

    @TempDir
    Path dataDir;

    @Test
    void firstStartPrintsAWorkingAdminKeyOnce(CapturedOutput output) {
        String url = TestDatabase.get().url("bootstrap_it");
        String key;
        try (ServerProcess server = ServerProcess.start(dataDir, url, "--slicefine.admin-key=")) {
            Matcher m = PRINTED.matcher(output.getOut());
            assertThat(m.find()).as("admin key printed").isTrue();
            key = m.group(1);
            assertThat(server.http().postJson("/v1/tenants", key, "{\"name\":\"first\"}").status()).isEqualTo(201);
            assertThat(server.http().get("/v1/keys", key).body()).doesNotContain(key);
        }
        int printedBefore = count(output.getOut());
        try (ServerProcess server = ServerProcess.start(dataDir, url, "--slicefine.admin-key=")) {
            assertThat(count(output.getOut())).as("not printed again").isEqualTo(printedBefore);
            assertThat(server.http().get("/v1/tenants", key).status()).isEqualTo(200);
        }
    }

    private static int count(String out) {
        Matcher m = PRINTED.matcher(out);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
