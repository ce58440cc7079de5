package dev.slicefine.api.common;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Whether a live job (validating, queued or running) still needs a model or dataset. */
@Component
public class JobUsage {
    private final JdbcClient jdbc;

    JobUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean modelInUse(UUID modelId) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE model_id = :id AND status IN ('validating', 'queued', 'running')")
                .param("id", modelId).query(Long.class).single() > 0;
    }

    public boolean datasetInUse(UUID datasetId) {
        return jdbc.sql("""
                SELECT count(*) FROM jobs WHERE (dataset_id = :id OR eval_dataset_id = :id)
                AND status IN ('validating', 'queued', 'running')""")
                .param("id", datasetId).query(Long.class).single() > 0;
    }
}
