package dev.slicefine.worker.storage;

import dev.slicefine.worker.WorkerProperties;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The blob store under {@code <data-dir>/blobs} and its reference counts; shared by the api and every worker. */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {
    @Bean
    @ConditionalOnMissingBean
    public BlobStore blobStore(WorkerProperties properties) throws IOException {
        return new FileSystemBlobStore(properties.blobDir());
    }

    @Bean
    @ConditionalOnMissingBean
    public BlobRefs blobRefs(JdbcClient jdbc, BlobStore store, TransactionTemplate tx) {
        return new BlobRefs(jdbc, store, tx);
    }
}
