package dev.slicefine.api.jobs;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.Page;
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
@RequestMapping("/v1/jobs")
@Tag(name = "Jobs")
class JobController {
    private final JobService service;
    private final JobEventRepository events;
    private final JobMetricRepository metrics;
    private final JobStreams streams;

    JobController(JobService service, JobEventRepository events, JobMetricRepository metrics, JobStreams streams) {
        this.service = service;
        this.events = events;
        this.metrics = metrics;
        this.streams = streams;
    }

    @PostMapping
    @Operation(summary = "Create a fine-tuning job",
            description = "Body: {model_id, dataset_id, eval_dataset_id?, name?, priority?, task?, method?, validation_split?, "
                    + "slicefine?, lora?, train?, webhook_url?}. Validated synchronously (422 invalid_job with errors[] per "
                    + "field), then queued. With Idempotency-Key a retry returns the same job (200).")
    ResponseEntity<JobView> create(Caller caller, @RequestBody(required = false) JsonNode body,
                                   @RequestHeader(name = "Idempotency-Key", required = false) String key) {
        JobService.Created created = service.create(caller, body, key);
        URI location = URI.create("/v1/jobs/" + created.job().id());
        return created.created() ? ResponseEntity.created(location).body(created.job())
                : ResponseEntity.ok().location(location).body(created.job());
    }

    @GetMapping
    @Operation(summary = "List jobs, newest first; pass nextCursor back as cursor")
    Page<JobView> list(Caller caller, @RequestParam(required = false) JobStatus status,
                       @RequestParam(name = "model_id", required = false) UUID modelId,
                       @RequestParam(name = "dataset_id", required = false) UUID datasetId,
                       @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        return service.list(caller, status, modelId, datasetId, cursor, limit);
    }

    @GetMapping("/{id}")
    JobView get(Caller caller, @PathVariable UUID id) {
        return service.get(caller, id);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel: queued -> cancelled now; running -> cancel_requested; finished -> 409 job_finished")
    ResponseEntity<JobView> cancel(Caller caller, @PathVariable UUID id) {
        JobView job = service.cancel(caller, id);
        return job.status() == JobStatus.running ? ResponseEntity.accepted().body(job) : ResponseEntity.ok(job);
    }

    @GetMapping("/{id}/events")
    @Operation(summary = "Events in seq order after 'after' (JSON), or a Server-Sent Events stream with Accept: text/event-stream")
    HistoryPage<EventView> events(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                                  @RequestParam(required = false) Integer limit) {
        service.row(caller, id);
        var items = events.events(id, after == null ? 0 : after, HistoryPage.limit(limit));
        return HistoryPage.after(items, after, EventView::seq);
    }

    @GetMapping(value = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter eventStream(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                           @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        service.row(caller, id);
        return streams.open(caller, id, JobStreams.Kind.events, JobStreams.resumeFrom(lastEventId, after));
    }

    @GetMapping("/{id}/metrics")
    @Operation(summary = "Metric rows in id order after 'after' (JSON), or a Server-Sent Events stream with Accept: text/event-stream")
    HistoryPage<MetricView> metrics(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                                    @RequestParam(required = false) Integer limit) {
        service.row(caller, id);
        var items = metrics.metrics(id, after == null ? 0 : after, HistoryPage.limit(limit));
        return HistoryPage.after(items, after, MetricView::id);
    }

    @GetMapping(value = "/{id}/metrics", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter metricStream(Caller caller, @PathVariable UUID id, @RequestParam(required = false) Long after,
                            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        service.row(caller, id);
        return streams.open(caller, id, JobStreams.Kind.metrics, JobStreams.resumeFrom(lastEventId, after));
    }
}
