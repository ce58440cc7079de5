package dev.slicefine.worker;

import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import dev.slicefine.worker.run.WebhookPolicy;
import dev.slicefine.worker.run.Webhooks;
import dev.slicefine.worker.storage.BlobRefs;
import dev.slicefine.worker.storage.BlobStore;
import dev.slicefine.worker.storage.StorageConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What any Spring Boot app with the worker jar on its classpath gets: blob storage, the job queue, the runner and
 * webhooks, all passive. Running workers is opt-in: import {@link WorkerPoolConfiguration}.
 */
@AutoConfiguration
@EnableConfigurationProperties(WorkerProperties.class)
@Import(StorageConfiguration.class)
public class WorkerAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    public JobQueue jobQueue(JdbcClient jdbc, TransactionTemplate tx) {
        return new JobQueue(jdbc, tx);
    }

    @Bean
    @ConditionalOnMissingBean
    public WebhookPolicy webhookPolicy(WorkerProperties properties) {
        return properties.webhooks().policy();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Webhooks webhooks(JobQueue queue, WorkerProperties properties, WebhookPolicy policy) {
        return new Webhooks(queue, properties.webhookSecret(), properties.worker().webhookAttempts(),
                properties.worker().webhookBackoff(), policy);
    }

    @Bean
    @ConditionalOnMissingBean
    public JobRunner jobRunner(JdbcClient jdbc, TransactionTemplate tx, BlobStore store, BlobRefs refs, JobQueue queue,
                               Webhooks webhooks, WorkerProperties properties) {
        return new JobRunner(jdbc, tx, store, refs, queue, webhooks, properties);
    }
}
