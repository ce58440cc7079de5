package dev.slicefine.api.common;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
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

    /**
     * The documented schemas must name properties as the API writes them (snake_case, see application.yml); swagger-core
     * reads types with its own Jackson 2 mapper, which does not see the Jackson 3 naming setting.
     */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
