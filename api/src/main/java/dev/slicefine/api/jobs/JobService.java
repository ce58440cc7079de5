package dev.slicefine.api.jobs;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.JsonColumns;
import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.finetune.FineTuneConfig;
import dev.slicefine.engine.finetune.FineTuneEstimate;
import dev.slicefine.engine.finetune.FineTuneEstimate.DataShape;
import dev.slicefine.worker.jobs.StoredConfig;
import dev.slicefine.api.common.TextFields;
import dev.slicefine.worker.jobs.WebhookPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.slicefine.api.common.TenantPageQuery;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** Creating (validated, idempotent), reading and cancelling jobs. The worker moves them on from 'queued'. */
@Service
public class JobService {
    /** A created or replayed job; {@code created} is false when an Idempotency-Key matched an earlier request. */
    record Created(JobView job, boolean created) {}

    private final JobRepository jobs;
    private final JobValidator validator;
    private final TransactionTemplate tx;
    private final SliceFineProperties properties;
    private final WebhookPolicy webhooks;
    private final JobMetricRepository metrics;

    JobService(JobRepository jobs, JobValidator validator, TransactionTemplate tx, SliceFineProperties properties,
               WebhookPolicy webhooks, JobMetricRepository metrics) {
        this.metrics = metrics;
        this.webhooks = webhooks;
        this.jobs = jobs;
        this.validator = validator;
        this.tx = tx;
        this.properties = properties;
    }

    Created create(Caller caller, JsonNode body, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ApiException.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters");
        }
        TextFields.check("Idempotency-Key", idempotencyKey);
        ConfigErrors parseErrors = new ConfigErrors();
        JobRequest request = parse(body, parseErrors);
        if (idempotencyKey != null && request != null) {
            // An expired key no longer names its job (Stripe's rule): the job keeps running, the key is free again.
            jobs.expireKey(caller.tenantId(), idempotencyKey, properties.jobs().idempotencyTtl().toMillis() / 1000.0);
            var earlier = findByKey(caller.tenantId(), idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), request, validator.normalise(request, earlier.get().config()));
            }
        }
        JsonNode config = validator.check(caller, request, parseErrors).config();
        UUID id = UUID.randomUUID();
        Boolean inserted;
        try {
            inserted = tx.execute(status -> {
                if (jobs.insertQueued(id, caller.tenantId(), request.modelId(), request.datasetId(), request.evalDatasetId(),
                        request.name(), request.priority(), config.toString(), idempotencyKey) == 0) {
                    return false;
                }
                jobs.appendEvent(id, "status", JobStatus.validating.name(), JobStatus.queued.name(), null,
                        "Validated and queued");
                return true;
            });
        } catch (DataIntegrityViolationException e) {
            // The model or a dataset was deleted between validation and insert (foreign key): it is gone now.
            throw ApiException.conflict("resource_deleted",
                    "The model or dataset was deleted while the job was being created");
        }
        if (!Boolean.TRUE.equals(inserted)) {
            // A concurrent request with the same key won the insert.
            return replay(findByKey(caller.tenantId(), idempotencyKey).orElseThrow(), request, config);
        }
        return new Created(view(find(caller.tenantId(), id).orElseThrow()), true);
    }

    /** The body read as a job request (null when it is not an object); field errors go into {@code errors}. */
    JobRequest parse(JsonNode body, ConfigErrors errors) {
        if (body != null && body.path("name").isString()) {
            TextFields.check("name", body.get("name").asString());
        }
        JobRequest request = JobRequest.parse(body, errors);
        if (body != null && body.path("webhook_url").isString()) {
            webhooks.checkAtCreation(body.get("webhook_url").asString())
                    .ifPresent(r -> errors.add("webhook_url", "webhook_not_allowed", r.detail()));
        }
        return request;
    }

    /** The same key again: the same job when the body means the same job, else 409. */
    private Created replay(JobRepository.JobRow earlier, JobRequest request, JsonNode config) {
        boolean same = Objects.equals(earlier.modelId(), request.modelId())
                && Objects.equals(earlier.datasetId(), request.datasetId())
                && Objects.equals(earlier.evalDatasetId(), request.evalDatasetId())
                && Objects.equals(earlier.name(), request.name())
                && earlier.priority() == request.priority()
                && Objects.equals(earlier.config(), config);
        if (!same) {
            throw ApiException.conflict("idempotency_conflict", "Idempotency-Key was already used for job " + earlier.id()
                    + " with a different request body");
        }
        return new Created(view(earlier), false);
    }

    private static final String TRAIN = "train";
    /** Train metric rows a view reads for the ETA. */
    private static final int RECENT = 20;

    private Optional<JobRepository.JobRow> find(UUID tenantId, UUID id) {
        return jobs.findByIdAndTenantIdAndKind(id, tenantId, TRAIN).map(JobEntity::row);
    }

    private Optional<JobRepository.JobRow> findByKey(UUID tenantId, String key) {
        return jobs.findByTenantIdAndIdempotencyKeyAndKind(tenantId, key, TRAIN).map(JobEntity::row);
    }

    public JobView get(Caller caller, UUID id) {
        return view(row(caller, id));
    }

    JobRepository.JobRow row(Caller caller, UUID id) {
        return find(caller.tenantId(), id).orElseThrow(() -> ApiException.notFound("Job"));
    }

    Page<JobView> list(Caller caller, JobStatus status, UUID modelId, UUID datasetId, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = cursor == null ? null : Cursor.decode(cursor);
        List<JobRepository.JobRow> rows = new TenantPageQuery<JobEntity>(caller.tenantId())
                .where("kind", TRAIN) // evaluation runs are jobs rows too (V5): /v1/evaluations
                .where("status", status)
                .where("modelId", modelId)
                .and(datasetId == null ? null : (root, query, cb) -> cb.or(cb.equal(root.get("datasetId"), datasetId),
                        cb.equal(root.get("evalDatasetId"), datasetId)))
                .list(jobs, after, n + 1).stream().map(JobEntity::row).toList();
        // What the views add to the rows, for the whole page in three queries rather than three per job.
        List<UUID> ids = rows.stream().map(JobRepository.JobRow::id).toList();
        Map<UUID, List<MetricView>> recent = new HashMap<>();
        Map<UUID, MetricView> latest = new HashMap<>();
        if (!ids.isEmpty()) {
            metrics.recentTrainMetrics(ids, RECENT).forEach(m ->
                    recent.computeIfAbsent(m.jobId(), k -> new ArrayList<>()).add(m.view()));
            metrics.latestMetrics(ids).forEach(m -> latest.put(m.jobId(), m.view()));
        }
        Map<UUID, DataShape> shapes = datasetShapes(rows.stream().map(JobRepository.JobRow::datasetId).filter(Objects::nonNull).toList());
        return Page.of(rows, n, r -> new Cursor(r.createdAt(), r.id()),
                r -> view(r, recent.getOrDefault(r.id(), List.of()), latest.get(r.id()), shapes.get(r.datasetId())));
    }

    /** queued: cancelled now; running: cancel_requested (the worker stops it); finished: 409. */
    JobView cancel(Caller caller, UUID id) {
        tx.executeWithoutResult(status -> {
            JobRepository.JobRow job = jobs.lock(caller.tenantId(), id, TRAIN).map(JobEntity::row).orElseThrow(() -> ApiException.notFound("Job"));
            switch (job.status()) {
                case validating, queued -> {
                    jobs.cancelQueued(id);
                    jobs.appendEvent(id, "status", job.status().name(), JobStatus.cancelled.name(), "cancelled",
                            "Cancelled by the client before it started");
                }
                case running -> {
                    if (!job.cancelRequested()) {
                        jobs.requestCancel(id);
                        jobs.appendEvent(id, "log", null, null, "cancel_requested",
                                "Cancel requested; the worker stops at the next step");
                    }
                }
                default -> throw ApiException.conflict("job_finished", "Job " + id + " already " + job.status());
            }
        });
        return get(caller, id);
    }

    JobView view(JobRepository.JobRow j) {
        return view(j, metrics.recentTrainMetrics(j.id(), RECENT), metrics.latestMetric(j.id()).orElse(null),
                j.datasetId() == null ? null : datasetShapes(List.of(j.datasetId())).get(j.datasetId()));
    }

    /** recent: the newest train metrics, newest first; data: the training dataset's shape, if known. */
    private JobView view(JobRepository.JobRow j, List<MetricView> recent, MetricView latest, DataShape data) {
        long step = recent.isEmpty() ? 0 : recent.get(0).step();
        Long total = totalSteps(j, data);
        if (j.status() == JobStatus.succeeded && total == null) {
            total = step;
        }
        Double eta = null;
        if (j.status() == JobStatus.running && total != null && recent.size() >= 2) {
            MetricView newest = recent.get(0);
            MetricView oldest = recent.get(recent.size() - 1);
            double seconds = Duration.between(oldest.createdAt(), newest.createdAt()).toMillis() / 1000.0;
            long steps = newest.step() - oldest.step();
            if (seconds > 0 && steps > 0) {
                eta = Math.max(0, (total - step) / (steps / seconds));
            }
        }
        JobView.JobError error = j.errorCode() == null && j.errorMessage() == null ? null
                : new JobView.JobError(j.errorCode(), j.errorMessage());
        return new JobView(j.id(), j.name(), j.modelId(), j.datasetId(), j.evalDatasetId(), j.status(), j.cancelRequested(),
                j.priority(), j.attempt(), j.maxAttempts(), j.config(), new JobView.Progress(step, total), eta, latest, error,
                j.createdAt(), j.queuedAt(), j.startedAt(), j.finishedAt(), j.updatedAt(), j.device(), j.workerId(),
                j.status() == JobStatus.succeeded ? j.evaluationId() : null);
    }

    /** The engine's rule ({@link FineTuneEstimate#steps}): the total its started event reports; null when unknown. */
    private static Long totalSteps(JobRepository.JobRow j, DataShape data) {
        FineTuneConfig config;
        try {
            config = FineTuneConfig.parse(j.config().toString(), StoredConfig.SERVICE_FIELDS);
        } catch (InvalidConfigException e) {
            return null; // a row written under older rules: its progress has no total
        }
        if (data == null) {
            return config.train().maxSteps() > 0 ? (long) config.train().maxSteps() : null;
        }
        return (long) FineTuneEstimate.steps(config, data, j.evalDatasetId() != null);
    }

    private Map<UUID, DataShape> datasetShapes(List<UUID> datasetIds) {
        Map<UUID, DataShape> shapes = new HashMap<>();
        if (!datasetIds.isEmpty()) {
            for (Object[] r : jobs.datasetShapes(new HashSet<>(datasetIds))) {
                if (r[1] != null) {
                    Map<String, Long> labels = new LinkedHashMap<>();
                    if (r[2] != null) {
                        JsonColumns.tree((String) r[2]).properties().forEach(e -> labels.put(e.getKey(), e.getValue().asLong()));
                    }
                    shapes.put((UUID) r[0], new DataShape(labels, ((Number) r[1]).longValue()));
                }
            }
        }
        return shapes;
    }
}
