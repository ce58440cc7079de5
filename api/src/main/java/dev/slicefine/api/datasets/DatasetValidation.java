package dev.slicefine.api.datasets;

import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.storage.BlobStore;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Validates datasets off the request thread; those still 'validating' at start are validated again. */
@Service
class DatasetValidation {
    private static final Logger log = LoggerFactory.getLogger(DatasetValidation.class);

    private final DatasetRepository datasets;
    private final BlobStore store;
    private final ExecutorService executor;
    private final SliceFineProperties properties;
    private final DatasetValidator validator;

    DatasetValidation(DatasetRepository datasets, BlobStore store, ExecutorService validationExecutor,
                      SliceFineProperties properties, JsonMapper json) {
        this.datasets = datasets;
        this.store = store;
        this.executor = validationExecutor;
        this.properties = properties;
        this.validator = new DatasetValidator(json, properties.validation().maxReportedErrors());
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
        List<UUID> pending = datasets.validating();
        if (!pending.isEmpty()) {
            log.info("Re-validating {} dataset(s) left in 'validating'", pending.size());
        }
        pending.forEach(this::submit);
    }

    private void run(UUID id) {
        try {
            Thread.sleep(properties.validation().startDelay().toMillis());
            DatasetView dataset = datasets.findAnyTenant(id).orElse(null);
            if (dataset == null || dataset.status() != ValidationStatus.validating) {
                return;
            }
            DatasetReport report;
            switch (dataset.format()) {
                case imagefolder -> report = validator.imageFolder(store.localFile(dataset.sha256()));
                case jsonl, csv -> {
                    try (InputStream in = store.open(dataset.sha256())) {
                        report = dataset.format() == DatasetFormat.jsonl
                                ? validator.jsonl(in, dataset.textField(), dataset.labelField())
                                : validator.csv(in, dataset.textField(), dataset.labelField());
                    }
                }
                default -> throw new IllegalStateException();
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            datasets.finishValidation(id, report.valid() ? ValidationStatus.ready : ValidationStatus.invalid, report);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // shutting down: validated again at the next start
            }
            log.error("Validation of dataset {} failed unexpectedly", id, e);
            datasets.finishValidation(id, ValidationStatus.invalid, new DatasetReport(null, 0, 0, 0, 0, null, null,
                    java.util.Map.of(), 1, false, List.of(new DatasetError(null, null, "validation_failed",
                    "validation failed unexpectedly: " + e.getClass().getSimpleName()))));
        }
    }
}
