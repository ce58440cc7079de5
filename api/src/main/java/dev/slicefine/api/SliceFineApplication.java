package dev.slicefine.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import dev.slicefine.worker.WorkerPoolConfiguration;

/**
 * The SliceFine HTTP service: uploads, jobs, artifacts, auth. In the single-machine default it also runs the worker
 * pool ({@code slicefine.worker.embedded=true}, {@code slicefine.worker.count} threads); set it false when separate
 * workers serve the queue.
 */
@SpringBootApplication
@Import(WorkerPoolConfiguration.class)
@ConfigurationPropertiesScan
public class SliceFineApplication {
    public static void main(String[] args) {
        SpringApplication.run(SliceFineApplication.class, args);
    }
}
