package dev.slicefine.api.common;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfig {
    @Bean
    OpenAPI sliceFineOpenApi() {
        return new OpenAPI()
                .info(new Info().title("SliceFine API").version("v1")
                        .description("Fine-tuning as a service: models, datasets, jobs, artifacts. "
                                + "Authenticate with Authorization: Bearer sk-..."))
                .components(new Components().addSecuritySchemes("apiKey",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("sk-...")))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
