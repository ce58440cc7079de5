package dev.slicefine.api.jobs;

import dev.slicefine.api.models.ModelDirs;
import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.datasets.DatasetService;
import dev.slicefine.api.datasets.DatasetView;
import dev.slicefine.api.models.ModelService;
import dev.slicefine.api.models.ModelView;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.worker.jobs.StoredConfig;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything a job request is checked against before it is queued: the caller's model and datasets (404 when not
 * theirs, 409 when not ready), then one list of field errors (422): the config read by the engine's
 * {@link FineTuneConfig} (the only rules), the service's own fields, the task against the model family and the dataset
 * (from its validation report), and the config against the model's files (targets, rank per layer). Each check adds to
 * the same {@link ConfigErrors}, so another one is one more call.
 */
@Component
class JobValidator {
    /** What a validated request resolved to. */
    record Checked(ModelView model, DatasetView dataset, DatasetView evalDataset, ObjectNode config) {}

    private final ModelService models;
    private final DatasetService datasets;
    private final BlobStore store;
    private final SliceFineProperties properties;
    private final JsonMapper json;
    /**
     * FineTuneConfig.checkAgainstModel's answer per (model manifest sha256, complete config): both are immutable, and a
     * pipeline submits the same config many times; a hit skips linking the model folder and reading its headers.
     */
    private final Map<String, List<ConfigError>> validated = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<ConfigError>> eldest) {
                    return size() > 512;
                }
            });

    JobValidator(ModelService models, DatasetService datasets, BlobStore store, SliceFineProperties properties,
                 JsonMapper json) {
        this.json = json;
        this.models = models;
        this.datasets = datasets;
        this.store = store;
        this.properties = properties;
    }

    Checked check(Caller caller, JobRequest request, ConfigErrors errors) {
        if (request == null || request.modelId() == null || request.datasetId() == null) {
            throw new InvalidJobException(errors.list());
        }
        ModelView model = models.get(caller, request.modelId());
        DatasetView dataset = datasets.get(caller, request.datasetId());
        DatasetView eval = request.evalDatasetId() == null ? null : datasets.get(caller, request.evalDatasetId());
        if (model.status() != ValidationStatus.ready) {
            throw ApiException.conflict("model_not_ready", "Model " + model.id() + " is " + model.status()
                    + (model.status() == ValidationStatus.validating ? "; wait until it is ready" : "; upload a valid checkpoint"));
        }
        for (DatasetView d : eval == null ? List.of(dataset) : List.of(dataset, eval)) {
            if (d.status() != ValidationStatus.ready) {
                throw ApiException.conflict("dataset_not_ready", "Dataset " + d.id() + " is " + d.status()
                        + (d.status() == ValidationStatus.validating ? "; wait until it is ready" : "; fix it and upload it again"));
            }
        }
        ModelFamily family = model.report() == null ? null : ModelFamily.detect(model.report().family(), List.of());
        ObjectNode config = withTask(request.config(), family == null ? null : Task.defaultFor(family).id());
        JsonNode webhook = config.get("webhook_url");
        if (webhook != null && !webhook.isNull()) {
            ConfigError bad = StoredConfig.webhookError(webhook.isString() ? webhook.asString() : webhook);
            if (bad != null) {
                errors.add(bad);
            }
        }
        FineTuneConfig parsed = null;
        try {
            parsed = FineTuneConfig.parse(config.toString(), StoredConfig.SERVICE_FIELDS);
        } catch (InvalidConfigException e) {
            errors.addAll(e.errors());
        }
        Task task = parsed != null ? parsed.task() : taskOf(config);
        if (task != null) {
            ConfigError fit = family == null ? null : task.fitError(family);
            if (fit != null) {
                // one root cause, one error: a task the model cannot train is not also a dataset mismatch
                errors.add(fit);
            } else {
                taskFitsDataset(task, "dataset_id", dataset, errors);
            }
            if (fit == null && eval != null) {
                taskFitsDataset(task, "eval_dataset_id", eval, errors);
                if (eval.format() != dataset.format()) {
                    errors.add("eval_dataset_id", DATASET_MISMATCH, "is " + eval.format() + " but the dataset is " + dataset.format());
                }
            }
        }
        if (parsed != null) {
            errors.addAll(againstModel(model, parsed));
        }
        if (!errors.isEmpty()) {
            throw new InvalidJobException(errors.list());
        }
        return new Checked(model, dataset, eval, complete(parsed, config));
    }

    private List<ConfigError> againstModel(ModelView model, FineTuneConfig parsed) {
        String cacheKey = model.sha256() + "\n" + parsed.toJson();
        List<ConfigError> found = validated.get(cacheKey);
        if (found == null) {
            try (ModelDirs dir = ModelDirs.materialise(model.files(), store, properties.tmpDir())) {
                found = parsed.checkAgainstModel(dir.path());
            }
            validated.put(cacheKey, found);
        }
        return found;
    }

    /**
     * The complete config a request would be stored with, for comparing an Idempotency-Key retry with the job it
     * created; a request without task takes the stored job's (its model family's default).
     */
    JsonNode normalise(JobRequest request, JsonNode stored) {
        ObjectNode config = withTask(request.config(), stored.path("task").isString() ? stored.get("task").asString() : null);
        try {
            return complete(FineTuneConfig.parse(config.toString(), StoredConfig.SERVICE_FIELDS), config);
        } catch (InvalidConfigException e) {
            return request.config();
        }
    }

    /** Every default written out (the engine's JSON), plus the service's own fields as given. */
    private ObjectNode complete(FineTuneConfig parsed, ObjectNode request) {
        ObjectNode out = (ObjectNode) json.readTree(parsed.toJson().toString());
        for (String field : StoredConfig.SERVICE_FIELDS) {
            if (request.hasNonNull(field)) {
                out.set(field, request.get(field));
            }
        }
        return out;
    }

    private static ObjectNode withTask(ObjectNode config, String task) {
        ObjectNode copy = config.deepCopy();
        if (!copy.has("task") && task != null) {
            copy.put("task", task);
        }
        return copy;
    }

    /** The request's task when it names a real one (for the fit checks even when other fields are bad). */
    private static Task taskOf(ObjectNode config) {
        String id = config.path("task").isString() ? config.get("task").asString() : null;
        return java.util.Arrays.stream(Task.values()).filter(t -> t.id().equals(id)).findFirst().orElse(null);
    }

    static final String DATASET_MISMATCH = "dataset_mismatch";

    /**
     * The dataset's task (uploaded, or inferred from its layout when it was validated) against the job's, and for a
     * classifier whether its labels look like classes.
     */
    private static void taskFitsDataset(Task task, String field, DatasetView d, ConfigErrors errors) {
        if (d.task() != null && !d.task().equals(task.id())) {
            errors.add(field, DATASET_MISMATCH, "is a " + d.task() + " dataset, which does not fit " + task.id()
                    + " (upload it with task=" + task.id() + " and the field names it uses)");
            return;
        }
        if (task != Task.TEXT_CLASSIFICATION || d.report() == null) {
            return;
        }
        long rows = d.report().validExamples();
        int classes = d.report().labels().size();
        if (classes < 2) {
            errors.add(field, DATASET_MISMATCH, "has " + classes + " distinct label(s); text-classification needs at least 2");
        } else if (rows >= 20 && classes > Math.max(1000, rows / 2)) {
            errors.add(field, DATASET_MISMATCH, "has " + classes + " distinct labels in " + rows
                    + " rows: these look like free text, not class labels");
        }
    }

}
