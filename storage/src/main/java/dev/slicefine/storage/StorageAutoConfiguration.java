package dev.slicefine.storage;

import java.io.IOException;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The blob store ({@code slicefine.storage.type}: files under {@code <slicefine.data-dir>/blobs} by default, or
 * {@code s3}) and its reference counts, for any Spring
 * Boot app with this jar on its classpath: the api and every worker see the same blobs.
 */
@AutoConfiguration
@EnableConfigurationProperties(StorageProperties.class)
public class StorageAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    public BlobStore blobStore(StorageProperties properties, @Value("${slicefine.data-dir:./data}") String dataDir)
            throws IOException {
        return switch (properties.type()) {
            case filesystem -> new FileSystemBlobStore(properties.dir(Path.of(dataDir)));
            case s3 -> S3BlobStore.create(properties.s3(), Path.of(dataDir).resolve("blob-cache"),
                    properties.cacheBytes().toBytes());
        };
    }

    @Bean
    @ConditionalOnMissingBean
    public BlobRefs blobRefs(JdbcClient jdbc, BlobStore store, TransactionTemplate tx) {
        return new BlobRefs(jdbc, store, tx);
    }
}
