package dev.slicefine.api.common;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Validation of uploads runs here, off the request thread. Shutdown does not wait: an interrupted validation
 * leaves its resource in 'validating', and validation is restarted for those on the next start.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ValidationExecutorConfig {
    @Bean
    ThreadPoolTaskExecutor validationExecutor(SliceFineProperties properties) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("validate-");
        executor.setCorePoolSize(properties.validation().threads());
        executor.setMaxPoolSize(properties.validation().threads());
        executor.setQueueCapacity(Integer.MAX_VALUE);
        executor.setWaitForTasksToCompleteOnShutdown(false);
        executor.setAcceptTasksAfterContextClose(false);
        return executor;
    }
}
