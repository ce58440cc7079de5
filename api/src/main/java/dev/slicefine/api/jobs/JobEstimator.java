package dev.slicefine.api.jobs;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.datasets.DatasetView;
import dev.slicefine.api.models.ModelDirs;
import dev.slicefine.api.models.ModelService;
import dev.slicefine.api.models.ModelView;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.engine.finetune.FineTuneEstimate;
import dev.slicefine.engine.finetune.FineTuneKnobs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.jobs.StoredConfig;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The launch page's two questions, answered by the engine: which knobs there are with their defaults
 * ({@link FineTuneKnobs}, {@link FineTuneConfig#toJson()}), and what a request would train ({@link FineTuneEstimate},
 * after the same checks as POST /v1/jobs). Nothing is stored.
 */
@Service
class JobEstimator {
    /** One target weight: its shape [out, in], the first slice's mode (or "lora") and rank, its trainable values. */
    record TargetLayer(String layer, long[] shape, String mode, int rank, long trainable) {}

    record JobEstimate(String task, String method, long trainableParams, long totalParams, double trainableFraction,
                       int totalSteps, long diffBytes, List<TargetLayer> targetLayers) {}

    record Knob(String path, String kind, JsonNode defaultValue, String help, List<String> options, List<String> methods) {}

    record JobDefaults(String task, String method, JsonNode config, List<Knob> knobs) {}

    private final JobService jobs;
    private final JobValidator validator;
    private final ModelService models;
    private final BlobStore store;
    private final SliceFineProperties properties;
    private final JsonMapper json;

    JobEstimator(JobService jobs, JobValidator validator, ModelService models, BlobStore store, SliceFineProperties properties,
                 JsonMapper json) {
        this.jobs = jobs;
        this.validator = validator;
        this.models = models;
        this.store = store;
        this.properties = properties;
        this.json = json;
    }

    JobEstimate estimate(Caller caller, JsonNode body) {
        ConfigErrors errors = new ConfigErrors();
        JobRequest request = jobs.parse(body, errors);
        JobValidator.Checked checked = validator.check(caller, request, errors);
        FineTuneConfig config = FineTuneConfig.parse(checked.config().toString(), StoredConfig.SERVICE_FIELDS);
        DatasetView data = checked.dataset();
        FineTuneEstimate e;
        try (ModelDirs dir = ModelDirs.materialise(checked.model().files(), store, properties.tmpDir())) {
            e = FineTuneEstimate.of(config, dir.path(), new FineTuneEstimate.DataShape(data.report().labels(),
                    data.report().validExamples()), checked.evalDataset() != null);
        } catch (InvalidConfigException ex) {
            throw new InvalidJobException(ex.errors());
        }
        List<TargetLayer> layers = e.targetLayers().stream()
                .map(l -> new TargetLayer(l.layer(), l.shape(), l.mode(), l.rank(), l.trainable())).toList();
        return new JobEstimate(config.task().id(), e.method(), e.trainableParams(), e.totalParams(), e.trainableFraction(),
                e.steps(), e.diffBytes(), layers);
    }

    JobDefaults defaults(Caller caller, String task, String method, UUID modelId) {
        String resolvedTask = task;
        if (resolvedTask == null && modelId != null) {
            ModelView model = models.get(caller, modelId);
            ModelFamily family = model.report() == null ? null : ModelFamily.detect(model.report().family(), List.of());
            resolvedTask = family == null ? null : Task.defaultFor(family).id();
        }
        if (resolvedTask == null) {
            resolvedTask = Task.TEXT_CLASSIFICATION.id();
        }
        var request = json.createObjectNode();
        request.put("task", resolvedTask);
        request.put("method", method == null ? "slicefine" : method);
        FineTuneConfig config;
        try {
            config = FineTuneConfig.parse(request.toString(), java.util.Set.of());
        } catch (InvalidConfigException ex) {
            throw new InvalidJobException(ex.errors());
        }
        JsonNode complete = json.readTree(config.toJson().toString());
        List<Knob> knobs = FineTuneKnobs.KNOBS.stream().map(k -> new Knob(k.path(), k.kind().name().toLowerCase(Locale.ROOT),
                at(complete, k.path()), k.help(), k.options(), k.methods())).toList();
        return new JobDefaults(config.task().id(), config.method(), complete, knobs);
    }

    private static JsonNode at(JsonNode config, String path) {
        JsonNode n = config;
        for (String p : path.split("\\.")) {
            n = n.path(p);
        }
        return n.isMissingNode() ? null : n;
    }
}
