package dev.slicefine.api.common;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Validation of uploads runs here, off the request thread. A plain executor, deliberately not lifecycle-managed:
 * shutdown interrupts running validations instead of waiting for them; an interrupted validation leaves its
 * resource in 'validating', and those are validated again at the next start.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ValidationExecutorConfig {
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService validationExecutor(SliceFineProperties properties) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.validation().threads(), r -> {
            Thread t = new Thread(r, "validate-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
