package dev.slicefine.api.evaluations;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.jobs.EventView;
import dev.slicefine.api.jobs.HistoryPage;
import dev.slicefine.api.jobs.JobEventRepository;
import dev.slicefine.api.jobs.JobStatus;
import dev.slicefine.api.jobs.JobStreams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/v1/evaluations")
@Tag(name = "Evaluations")
class EvaluationController {
    private final EvaluationService service;
    private final JobEventRepository events;
    private final JobStreams streams;

    EvaluationController(EvaluationService service, JobEventRepository events, JobStreams streams) {
        this.service = service;
        this.events = events;
        this.streams = streams;
    }

    @PostMapping
    @Operation(summary = "Evaluate a base model or a job's result on a dataset",
            description = "Body: {model_id | job_id, dataset_id, max_seq_len?, batch_size?}. Queued and run by a worker "
                    + "(same queue, leases, cancel and events as jobs). 422 invalid_evaluation with errors[] per field.")
    ResponseEntity<EvaluationView> create(Caller caller, @RequestBody(required = false) JsonNode body) {
        EvaluationView v = service.create(caller, body);
        return ResponseEntity.created(URI.create("/v1/evaluations/" + v.id())).body(v);
    }

    @GetMapping
    @Operation(summary = "List evaluations, newest first; pass next_cursor back as cursor",
            description = "Filters: status, job_id (evaluations of that job's result, its final evaluation included), "
                    + "model_id (evaluations of that base model or of results trained on it).")
    Page<EvaluationView> list(Caller caller, @RequestParam(required = false) JobStatus status,
                              @RequestParam(name = "job_id", required = false) UUID jobId,
                              @RequestParam(name = "model_id", required = false) UUID modelId,
                              @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        return service.list(caller, status, jobId, modelId, cursor, limit);
    }

    @GetMapping("/{id}")
    @Operation(summary = "An evaluation with its metrics; include=predictions adds one page of per-example predictions "
            + "(after = the last index seen, limit)")
    EvaluationView get(Caller caller, @PathVariable UUID id, @RequestParam(required = false) String include,
                       @RequestParam(required = false) Integer after, @RequestParam(required = false) Integer limit) {
        if (include != null && !include.equals("predictions")) {
            throw ApiException.badRequest("invalid_parameter", "include can only be 'predictions'");
        }
        return service.get(caller, id, include != null, after, limit);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel: queued -> cancelled now; running -> cancel_requested; finished -> 409 evaluation_finished")
    ResponseEntity<EvaluationView> cancel(Caller caller, @PathVariable UUID id) {
        EvaluationView v = service.cancel(caller, id);
        return v.status() == JobStatus.running ? ResponseEntity.accepted().body(v) : ResponseEntity.ok(v);
    }

    @GetMapping("/{id}/events")
    @Operation(summary = "Events in seq order after 'after' (JSON), or Server-Sent Events with Accept: text/event-stream")
    HistoryPage<EventView> events(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                                  @RequestParam(required = false) Integer limit) {
        service.check(caller, id);
        var items = events.events(id, after == null ? 0 : after, HistoryPage.limit(limit));
        return HistoryPage.after(items, after, EventView::seq);
    }

    @GetMapping(value = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter eventStream(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                           @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        service.check(caller, id);
        return streams.open(caller, id, JobStreams.Kind.events, JobStreams.resumeFrom(lastEventId, after));
    }
}
