package dev.slicefine.api.evaluations;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.jobs.HistoryPage;
import dev.slicefine.api.common.JsonColumns;
import dev.slicefine.api.common.TenantPageQuery;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.datasets.DatasetService;
import dev.slicefine.api.jobs.JobEntity;
import dev.slicefine.api.jobs.JobRepository;
import dev.slicefine.api.jobs.JobRepository.JobRow;
import dev.slicefine.api.models.ModelService;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.data.domain.Limit;
import dev.slicefine.api.jobs.JobStatus;
import dev.slicefine.engine.config.ConfigErrors;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Creating, reading and cancelling evaluation runs; a worker claims them from the job queue and fills in the results. */
@Service
class EvaluationService {
    private final EvaluationRepository evaluations;
    private final JobRepository jobs;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final ModelService models;
    private final DatasetService datasets;

    EvaluationService(EvaluationRepository evaluations, JobRepository jobs, TransactionTemplate tx, JsonMapper json,
                      ModelService models, DatasetService datasets) {
        this.models = models;
        this.datasets = datasets;
        this.evaluations = evaluations;
        this.jobs = jobs;
        this.tx = tx;
        this.json = json;
    }

    private static final String EVALUATE = "evaluate";

    EvaluationView create(Caller caller, JsonNode body) {
        ConfigErrors errors = new ConfigErrors();
        EvaluationRequest r = EvaluationRequest.parse(body, errors);
        UUID model = r == null ? null : r.modelId();
        if (r != null && r.jobId() != null) {
            Optional<JobRow> job = jobs.findByIdAndTenantIdAndKind(r.jobId(), caller.tenantId(), "train").map(JobEntity::row);
            if (job.isEmpty()) {
                errors.add("job_id", "not_found", "no such job");
            } else if (job.get().status() != JobStatus.succeeded) {
                errors.add("job_id", "job_not_succeeded", "the job has not succeeded: only a finished result can be evaluated");
            } else if (job.get().modelId() == null) {
                errors.add("job_id", "model_deleted", "the job's base model was deleted");
            } else {
                model = job.get().modelId();
            }
        } else if (r != null && r.modelId() != null) {
            ready("model_id", "model", models.status(caller.tenantId(), r.modelId()), errors);
        }
        if (r != null && r.datasetId() != null) {
            ready("dataset_id", "dataset", datasets.status(caller.tenantId(), r.datasetId()), errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidEvaluationException(errors.list());
        }
        ObjectNode config = json.createObjectNode();
        config.put("max_seq_len", r.maxSeqLen());
        config.put("batch_size", r.batchSize());
        UUID id = UUID.randomUUID();
        UUID base = model;
        tx.executeWithoutResult(s -> {
            jobs.insertQueuedEvaluation(id, caller.tenantId(), base, r.jobId(), r.datasetId(), config.toString());
            jobs.appendEvent(id, "status", JobStatus.validating.name(), JobStatus.queued.name(), null, "Evaluation queued");
        });
        return get(caller, id, false, null, null);
    }

    private static void ready(String field, String what, Optional<ValidationStatus> status, ConfigErrors errors) {
        if (status.isEmpty()) {
            errors.add(field, "not_found", "no such " + what);
        } else if (status.get() != ValidationStatus.ready) {
            errors.add(field, "not_ready", "is " + status.get() + ", not ready");
        }
    }

    EvaluationView get(Caller caller, UUID id, boolean withPredictions, Integer after, Integer limit) {
        JobRow run = find(caller, id);
        HistoryPage<JsonNode> predictions = null;
        if (withPredictions) {
            int n = Cursor.limit(limit);
            int from = after == null ? -1 : after;
            List<JsonNode> items = evaluations.predictions(id, from, Limit.of(n)).stream().map(JsonColumns::tree).toList();
            Long next = items.size() < n ? null : Long.valueOf(items.get(items.size() - 1).path("index").asInt());
            predictions = new HistoryPage<>(items, next);
        }
        return view(run, evaluations.findById(id).orElse(null), predictions);
    }

    Page<EvaluationView> list(Caller caller, JobStatus status, UUID jobId, UUID modelId, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = cursor == null ? null : Cursor.decode(cursor);
        List<JobRow> rows = new TenantPageQuery<JobEntity>(caller.tenantId())
                .where("kind", EVALUATE)
                .where("status", status)
                .where("sourceJobId", jobId)
                .where("modelId", modelId)
                .list(jobs, after, n + 1).stream().map(JobEntity::row).toList();
        // The page's results in one query, not one per run.
        Map<UUID, EvaluationResultEntity> results = evaluations.findAllById(rows.stream().map(JobRow::id).toList())
                .stream().collect(Collectors.toMap(EvaluationResultEntity::jobId, Function.identity()));
        return Page.of(rows, n, r -> new Cursor(r.createdAt(), r.id()), r -> view(r, results.get(r.id()), null));
    }

    /** queued: cancelled now; running: cancel_requested (the worker stops between batches); finished: 409. */
    EvaluationView cancel(Caller caller, UUID id) {
        tx.executeWithoutResult(s -> {
            JobRow row = jobs.lock(caller.tenantId(), id, EVALUATE).map(JobEntity::row).orElseThrow(() -> ApiException.notFound("Evaluation"));
            switch (row.status()) {
                case validating, queued -> {
                    jobs.cancelQueued(id);
                    jobs.appendEvent(id, "status", row.status().name(), JobStatus.cancelled.name(), "cancelled",
                            "Cancelled by the client before it started");
                }
                case running -> {
                    if (!row.cancelRequested()) {
                        jobs.requestCancel(id);
                        jobs.appendEvent(id, "log", null, null, "cancel_requested", "Cancel requested; the worker stops after the current batch");
                    }
                }
                default -> throw ApiException.conflict("evaluation_finished", "Evaluation " + id + " already " + row.status());
            }
        });
        return get(caller, id, false, null, null);
    }

    /** 404 unless the caller's tenant owns the evaluation. */
    void check(Caller caller, UUID id) {
        find(caller, id);
    }

    private JobRow find(Caller caller, UUID id) {
        return jobs.findByIdAndTenantIdAndKind(id, caller.tenantId(), EVALUATE).map(JobEntity::row)
                .orElseThrow(() -> ApiException.notFound("Evaluation"));
    }

    /** result: null until the run succeeds. */
    private static EvaluationView view(JobRow r, EvaluationResultEntity result, HistoryPage<JsonNode> predictions) {
        EvaluationView.Error error = r.errorCode() == null && r.errorMessage() == null ? null
                : new EvaluationView.Error(r.errorCode(), r.errorMessage());
        return new EvaluationView(r.id(), r.status(), r.cancelRequested(), r.modelId(), r.sourceJobId(), r.datasetId(),
                r.config(), result == null ? null : result.task(), result == null ? null : result.metrics(), error,
                r.attempt(), r.createdAt(), r.startedAt(), r.finishedAt(), predictions);
    }
}
