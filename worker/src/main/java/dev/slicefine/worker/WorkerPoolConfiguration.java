package dev.slicefine.worker;

import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs {@code slicefine.worker.count} workers in this JVM when {@code slicefine.worker.embedded} is true (the
 * default). The api imports it for its embedded worker; the standalone {@link WorkerApplication} imports it too.
 */
@Configuration(proxyBeanMethods = false)
public class WorkerPoolConfiguration {
    @Bean
    @ConditionalOnProperty(name = "slicefine.worker.embedded", havingValue = "true", matchIfMissing = true)
    public WorkerPool workerPool(JobQueue queue, JobRunner runner, WorkerProperties properties, WorkerRegistry registry) {
        return new WorkerPool(queue, runner, properties, registry);
    }
}
