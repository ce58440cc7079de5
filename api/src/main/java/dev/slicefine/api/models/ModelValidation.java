package dev.slicefine.api.models;

import java.io.UncheckedIOException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Service;

/**
 * Validates models off the request thread: the api's structural checks first, then the engine's inspection
 * ({@link ModelValidator}). Without an engine validator a structurally sound model stays 'validating' and its
 * report says the inspection is pending; it is never marked ready unchecked. Models still 'validating' at start
 * (a crash or restart interrupted them) are validated again.
 */
@Service
public class ModelValidation {
    private static final Logger log = LoggerFactory.getLogger(ModelValidation.class);
    static final String PENDING_ENGINE = "Awaiting the engine's checkpoint inspection (ModelInspector), which is not "
            + "part of this build yet; the model stays 'validating' until it runs.";

    private final ModelRepository models;
    private final BlobStore store;
    private final ObjectProvider<ModelValidator> validator;
    private final ExecutorService executor;
    private final SliceFineProperties properties;
    private final JsonMapper json;

    ModelValidation(ModelRepository models, BlobStore store, ObjectProvider<ModelValidator> validator,
                    ExecutorService validationExecutor, SliceFineProperties properties, JsonMapper json) {
        this.models = models;
        this.store = store;
        this.validator = validator;
        this.executor = validationExecutor;
        this.properties = properties;
        this.json = json;
    }

    /** Before the database goes away: stop validations (they run again at the next start). */
    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    void submit(UUID modelId) {
        executor.execute(() -> run(modelId));
    }

    @EventListener(ApplicationReadyEvent.class)
    void resumeInterrupted() {
        List<UUID> pending = models.idsWithStatus(ValidationStatus.validating);
        if (!pending.isEmpty()) {
            log.info("Re-validating {} model(s) left in 'validating'", pending.size());
        }
        pending.forEach(this::submit);
    }

    private void run(UUID modelId) {
        try {
            Thread.sleep(properties.validation().startDelay().toMillis());
            List<ModelFileView> files = models.findById(modelId).map(ModelEntity::files).orElse(List.of());
            if (files.isEmpty()) {
                return; // deleted meanwhile
            }
            ModelReport structure = CheckpointStructure.check(new CheckpointStructure.Files() {
                @Override
                public List<ModelFileView> list() {
                    return files;
                }

                @Override
                public InputStream open(ModelFileView file) throws IOException {
                    return store.open(file.sha256());
                }
            }, json);
            if (!structure.valid()) {
                finish(modelId, ValidationStatus.invalid, structure);
                return;
            }
            ModelValidator engine = validator.getIfAvailable();
            if (engine == null) {
                models.recordPending(modelId, redacted(new ModelReport(structure.family(), structure.architecture(), null,
                        structure.parameterCount(), structure.dtypes(), structure.tensorCount(),
                        structure.tokenizerPresent(), List.of(), List.of(), PENDING_ENGINE)));
                return;
            }
            ModelDirs dir = ModelDirs.materialise(files, store, properties.tmpDir());
            try {
                ModelReport report = engine.inspect(dir.path());
                finish(modelId, report.valid() ? ValidationStatus.ready : ValidationStatus.invalid, report);
            } finally {
                try {
                    dir.close();
                } catch (UncheckedIOException e) {
                    log.warn("Could not delete {}: {}", dir.path(), e.getCause().toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down: validated again at the next start
            }
            log.error("Validation of model {} failed unexpectedly", modelId, e);
            finish(modelId, ValidationStatus.invalid, new ModelReport(null, null, null, null, List.of(), null,
                    null, List.of("validation failed unexpectedly: " + e.getClass().getSimpleName()), List.of(), null));
        }
    }

    private void finish(UUID modelId, ValidationStatus status, ModelReport report) {
        models.finishValidation(modelId, status.name(), redacted(report));
    }

    /** The report as stored: JSON with server paths taken out. */
    private String redacted(ModelReport report) {
        return dev.slicefine.api.common.ServerPaths.redact(json.writeValueAsString(report), properties.dataDir());
    }
}
