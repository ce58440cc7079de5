package dev.slicefine.api.datasets;

import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.storage.BlobStore;
import java.io.InputStream;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.DatasetOptions;
import dev.slicefine.engine.data.DatasetReader;
import dev.slicefine.engine.data.IssueCode;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.data.ValidationReport;
import java.util.List;
import dev.slicefine.api.common.ServerPaths;
import tools.jackson.databind.json.JsonMapper;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import org.springframework.stereotype.Service;

/**
 * Validates datasets off the request thread with the engine's {@link DatasetReader}, the reader training uses, for
 * the uploaded task or the one the file's layout implies; those still 'validating' at start are validated again.
 */
@Service
class DatasetValidation {
    private static final Logger log = LoggerFactory.getLogger(DatasetValidation.class);

    private final DatasetRepository datasets;
    private final BlobStore store;
    private final ExecutorService executor;
    private final SliceFineProperties properties;
    private final JsonMapper json;

    DatasetValidation(DatasetRepository datasets, BlobStore store, ExecutorService validationExecutor,
                      SliceFineProperties properties, JsonMapper json) {
        this.json = json;
        this.datasets = datasets;
        this.store = store;
        this.executor = validationExecutor;
        this.properties = properties;
    }

    /** Before the database goes away: stop validations (they run again at the next start). */
    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    void submit(UUID datasetId) {
        executor.execute(() -> run(datasetId));
    }

    @EventListener(ApplicationReadyEvent.class)
    void resumeInterrupted() {
        List<UUID> pending = datasets.idsWithStatus(ValidationStatus.validating);
        if (!pending.isEmpty()) {
            log.info("Re-validating {} dataset(s) left in 'validating'", pending.size());
        }
        pending.forEach(this::submit);
    }

    private void run(UUID id) {
        Task task = null;
        try {
            Thread.sleep(properties.validation().startDelay().toMillis());
            DatasetView dataset = datasets.findById(id).map(d -> d.view(json)).orElse(null);
            if (dataset == null || dataset.status() != ValidationStatus.validating) {
                return;
            }
            ValidationReport report;
            try (LinkedDataset linked = LinkedDataset.of(store, dataset, properties.tmpDir())) {
                DatasetFields fields = dataset.fields() == null ? DatasetFields.DEFAULTS : dataset.fields();
                task = dataset.task() != null ? Task.parse(dataset.task()) : DatasetReader.inferTask(linked.file(), fields);
                report = DatasetReader.validate(linked.file(), DatasetOptions.validation(task, fields));
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            finish(id, report.ok() ? ValidationStatus.ready : ValidationStatus.invalid, report);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down: validated again at the next start
            }
            log.error("Validation of dataset {} failed unexpectedly", id, e);
            finish(id, ValidationStatus.invalid, ValidationReport.failed(task, IssueCode.UNREADABLE,
                    "validation failed unexpectedly: " + e.getClass().getSimpleName()));
        }
    }

    /** Stores the report (server paths taken out) and the task it was read for. */
    private void finish(UUID id, ValidationStatus status, ValidationReport report) {
        datasets.finishValidation(id, status.name(), report.task(),
                ServerPaths.redact(json.writeValueAsString(report), properties.dataDir()));
    }
}
