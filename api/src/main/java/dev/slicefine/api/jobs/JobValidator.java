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
import dev.slicefine.worker.storage.BlobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.slicefine.worker.jobs.JobConfig;
import dev.slicefine.worker.jobs.JobConfigException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything a job request is checked against before it is queued: the caller's model and datasets (404 when not
 * theirs, 409 when not ready), the config's fields, the task against the model family and the dataset (from its
 * validation report), and the worker's {@link JobConfig} against the model's files (targets, rank per layer).
 */
@Component
class JobValidator {
    /** The task a model family trains when the request names none. */
    static final Map<String, String> DEFAULT_TASK = Map.of("bert", "text-classification", "roberta", "text-classification",
            "llama", "causal-lm", "vit", "image-classification");

    /** What a validated request resolved to. */
    record Checked(ModelView model, DatasetView dataset, DatasetView evalDataset, ObjectNode config) {}

    private final ModelService models;
    private final DatasetService datasets;
    private final BlobStore store;
    private final SliceFineProperties properties;
    private final JsonMapper json;
    /**
     * JobConfig.validate's answer per (model manifest sha256, complete config): both are immutable, and a pipeline
     * submits the same config many times; a hit skips linking the model folder and reading its headers.
     */
    private final Map<String, List<FieldError>> validated = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<FieldError>> eldest) {
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

    Checked check(Caller caller, JobRequest request, List<FieldError> parseErrors) {
        List<FieldError> errors = new ArrayList<>(parseErrors);
        if (request == null || request.modelId() == null || request.datasetId() == null) {
            throw new InvalidJobException(JobConfigRules.onePerField(errors));
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
        ObjectNode config = request.config();
        errors.addAll(JobConfigRules.check(config));
        String family = model.report() == null ? null : model.report().family();
        String task = config.path("task").isString() ? config.get("task").asString() : DEFAULT_TASK.get(family);
        if (task != null && JobConfigRules.TASKS.contains(task)) {
            taskFitsModel(task, family, errors);
            taskFitsDataset(task, "dataset_id", dataset, errors);
            if (eval != null) {
                taskFitsDataset(task, "eval_dataset_id", eval, errors);
                if (eval.format() != dataset.format()) {
                    errors.add(new FieldError("eval_dataset_id", "is " + eval.format() + " but the dataset is " + dataset.format()));
                }
            }
        }
        ObjectNode complete = null;
        if (errors.stream().noneMatch(e -> JobConfigRules.isConfigField(e.field()))) {
            // The worker's JobConfig is the one definition of the config: parse it as the worker will, then check it
            // against the model's files (targets, rank per layer, task per family).
            ObjectNode withTask = config.deepCopy();
            if (!withTask.has("task") && task != null) {
                withTask.put("task", task);
            }
            try {
                JobConfig parsed = JobConfig.parse(withTask.toString());
                String completeJson = parsed.toJson();
                String cacheKey = model.sha256() + "\n" + completeJson;
                List<FieldError> found = validated.get(cacheKey);
                if (found == null) {
                    try (ModelDirs dir = ModelDirs.materialise(model.files(), store, properties.tmpDir())) {
                        found = parsed.validate(dir.path()).stream().map(e -> new FieldError(e.field(), e.message())).toList();
                    }
                    validated.put(cacheKey, found);
                }
                errors.addAll(found);
                complete = (ObjectNode) json.readTree(completeJson);
            } catch (JobConfigException e) {
                errors.add(new FieldError(e.error().field(), e.error().message()));
            }
        }
        List<FieldError> one = JobConfigRules.onePerField(errors);
        if (!one.isEmpty()) {
            throw new InvalidJobException(one);
        }
        return new Checked(model, dataset, eval, complete);
    }

    /**
     * The complete config a request would be stored with, for comparing an Idempotency-Key retry with the job it
     * created; a request without task takes the stored job's (its model family's default).
     */
    JsonNode normalise(JobRequest request, JsonNode stored) {
        ObjectNode withTask = request.config().deepCopy();
        if (!withTask.has("task") && stored.has("task")) {
            withTask.set("task", stored.get("task"));
        }
        try {
            return json.readTree(JobConfig.parse(withTask.toString()).toJson());
        } catch (JobConfigException e) {
            return request.config();
        }
    }

    private static boolean has(List<FieldError> errors, String prefix) {
        return errors.stream().anyMatch(e -> e.field().equals(prefix) || e.field().startsWith(prefix + "."));
    }

    private static void taskFitsModel(String task, String family, List<FieldError> errors) {
        boolean fits = switch (task) {
            case "text-classification" -> "bert".equals(family) || "roberta".equals(family);
            case "causal-lm" -> "llama".equals(family);
            case "image-classification" -> "vit".equals(family);
            default -> false;
        };
        if (!fits) {
            errors.add(new FieldError("task", task + " does not fit a " + family + " model (bert/roberta: "
                    + "text-classification, llama: causal-lm, vit: image-classification)"));
        }
    }

    /**
     * The dataset's task (uploaded, or inferred from its layout when it was validated) against the job's, and for a
     * classifier whether its labels look like classes.
     */
    private static void taskFitsDataset(String task, String field, DatasetView d, List<FieldError> errors) {
        if (d.task() != null && !d.task().equals(task)) {
            errors.add(new FieldError(field, "is a " + d.task() + " dataset, which does not fit " + task
                    + " (upload it with task=" + task + " and the field names it uses)"));
            return;
        }
        if (!task.equals("text-classification") || d.report() == null) {
            return;
        }
        long rows = d.report().validExamples();
        int classes = d.report().labels().size();
        if (classes < 2) {
            errors.add(new FieldError(field, "has " + classes + " distinct label(s); text-classification needs at least 2"));
        } else if (rows >= 20 && classes > Math.max(1000, rows / 2)) {
            errors.add(new FieldError(field, "has " + classes + " distinct labels in " + rows
                    + " rows: these look like free text, not class labels"));
        }
    }

}
