package dev.slicefine.worker;

import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import dev.slicefine.worker.jobs.WebhookPolicy;
import dev.slicefine.worker.run.Webhooks;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What any Spring Boot app with the worker jar on its classpath gets: the job queue, the runner and webhooks, all
 * passive (blob storage comes from the storage module's own auto-configuration). Running workers is opt-in: import
 * {@link WorkerPoolConfiguration}.
 */
@AutoConfiguration
@EnableConfigurationProperties(WorkerProperties.class)
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
        return new JobRunner(jdbc, tx, store, refs, queue, webhooks,
                new JobRunner.Settings(properties.worker().lease(), properties.worker().heartbeat(), properties.workDir(),
                        properties.worker().checkpointInterval(), properties.worker().device()));
    }

    @Bean
    @ConditionalOnMissingBean
    public WorkerRegistry workerRegistry(JdbcClient jdbc, WorkerProperties properties) {
        return new WorkerRegistry(jdbc, properties.worker().device());
    }
}
