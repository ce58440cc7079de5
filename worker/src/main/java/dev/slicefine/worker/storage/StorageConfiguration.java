package dev.slicefine.worker.storage;

import dev.slicefine.worker.WorkerProperties;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The blob store ({@code slicefine.storage.type}: {@code filesystem} under {@code <data-dir>/blobs}, or {@code s3})
 * and its reference counts; shared by the api and every worker.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StorageProperties.class)
public class StorageConfiguration {
    @Bean
    @ConditionalOnMissingBean
    public BlobStore blobStore(WorkerProperties properties, StorageProperties storage) throws IOException {
        return switch (storage.type()) {
            case filesystem -> new FileSystemBlobStore(properties.blobDir());
            case s3 -> S3BlobStore.create(storage.s3(), properties.dataDir().resolve("blob-cache"));
        };
    }

    @Bean
    @ConditionalOnMissingBean
    public BlobRefs blobRefs(JdbcClient jdbc, BlobStore store, TransactionTemplate tx) {
        return new BlobRefs(jdbc, store, tx);
    }
}
