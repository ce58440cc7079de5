package dev.slicefine.api.evaluations;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.jobs.HistoryPage;
import dev.slicefine.api.jobs.JobRepository;
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

    EvaluationService(EvaluationRepository evaluations, JobRepository jobs, TransactionTemplate tx, JsonMapper json) {
        this.evaluations = evaluations;
        this.jobs = jobs;
        this.tx = tx;
        this.json = json;
    }

    EvaluationView create(Caller caller, JsonNode body) {
        ConfigErrors errors = new ConfigErrors();
        EvaluationRequest r = EvaluationRequest.parse(body, errors);
        UUID model = r == null ? null : r.modelId();
        if (r != null && r.jobId() != null) {
            Optional<UUID[]> job = evaluations.succeededJob(caller.tenantId(), r.jobId());
            if (job.isEmpty()) {
                errors.add("job_id", "not_found", "no such job");
            } else if (job.get()[1] == null) {
                errors.add("job_id", "job_not_succeeded", "the job has not succeeded: only a finished result can be evaluated");
            } else if (job.get()[0] == null) {
                errors.add("job_id", "model_deleted", "the job's base model was deleted");
            } else {
                model = job.get()[0];
            }
        } else if (r != null && r.modelId() != null) {
            ready("models", "model_id", caller, r.modelId(), errors);
        }
        if (r != null && r.datasetId() != null) {
            ready("datasets", "dataset_id", caller, r.datasetId(), errors);
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
            evaluations.insertQueued(id, caller.tenantId(), base, r.jobId(), r.datasetId(), config);
            jobs.appendEvent(id, "status", JobStatus.validating.name(), JobStatus.queued.name(), null, "Evaluation queued");
        });
        return get(caller, id, false, null, null);
    }

    private void ready(String table, String field, Caller caller, UUID id, ConfigErrors errors) {
        Optional<String> status = evaluations.status(table, caller.tenantId(), id);
        if (status.isEmpty()) {
            errors.add(field, "not_found", "no such " + table.substring(0, table.length() - 1));
        } else if (!status.get().equals("ready")) {
            errors.add(field, "not_ready", "is " + status.get() + ", not ready");
        }
    }

    EvaluationView get(Caller caller, UUID id, boolean withPredictions, Integer after, Integer limit) {
        EvaluationRepository.Row row = evaluations.find(caller.tenantId(), id).orElseThrow(() -> ApiException.notFound("Evaluation"));
        HistoryPage<JsonNode> predictions = null;
        if (withPredictions) {
            int n = Cursor.limit(limit);
            int from = after == null ? -1 : after;
            List<JsonNode> items = evaluations.predictions(id, from, n);
            Long next = items.size() < n ? null : Long.valueOf(items.get(items.size() - 1).path("index").asInt());
            predictions = new HistoryPage<>(items, next);
        }
        return view(row, predictions);
    }

    Page<EvaluationView> list(Caller caller, JobStatus status, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = cursor == null ? null : Cursor.decode(cursor);
        List<EvaluationRepository.Row> rows = evaluations.page(caller.tenantId(), status, after, n + 1);
        return Page.of(rows, n, r -> new Cursor(r.createdAt(), r.id()), r -> view(r, null));
    }

    /** queued: cancelled now; running: cancel_requested (the worker stops between batches); finished: 409. */
    EvaluationView cancel(Caller caller, UUID id) {
        tx.executeWithoutResult(s -> {
            if (!evaluations.lock(caller.tenantId(), id)) {
                throw ApiException.notFound("Evaluation");
            }
            EvaluationRepository.Row row = evaluations.find(caller.tenantId(), id).orElseThrow();
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
        evaluations.find(caller.tenantId(), id).orElseThrow(() -> ApiException.notFound("Evaluation"));
    }

    private static EvaluationView view(EvaluationRepository.Row r, HistoryPage<JsonNode> predictions) {
        EvaluationView.Error error = r.errorCode() == null && r.errorMessage() == null ? null
                : new EvaluationView.Error(r.errorCode(), r.errorMessage());
        return new EvaluationView(r.id(), r.status(), r.cancelRequested(), r.modelId(), r.jobId(), r.datasetId(), r.config(),
                r.task(), r.metrics(), error, r.attempt(), r.createdAt(), r.startedAt(), r.finishedAt(), predictions);
    }
}
