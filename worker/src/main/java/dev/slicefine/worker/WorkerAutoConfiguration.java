package dev.slicefine.worker;

import dev.slicefine.worker.storage.StorageConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/** What any Spring Boot app with the worker jar gets: blob storage, and (later) the worker pool. */
@AutoConfiguration
@EnableConfigurationProperties(WorkerProperties.class)
@Import(StorageConfiguration.class)
public class WorkerAutoConfiguration {
}
