package dev.slicefine.api.storage;

import dev.slicefine.api.common.SliceFineProperties;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfig {
    @Bean
    BlobStore blobStore(SliceFineProperties properties) throws IOException {
        return new FileSystemBlobStore(properties.blobDir());
    }
}
