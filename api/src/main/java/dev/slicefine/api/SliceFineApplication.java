package dev.slicefine.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The SliceFine HTTP service: uploads, jobs, artifacts, auth. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SliceFineApplication {
    public static void main(String[] args) {
        SpringApplication.run(SliceFineApplication.class, args);
    }
}
