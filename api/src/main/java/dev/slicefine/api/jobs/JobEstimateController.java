package dev.slicefine.api.jobs;

import dev.slicefine.api.auth.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Before a job exists: the knobs with their defaults, and what a request would train and write. */
@RestController
@RequestMapping("/v1/jobs")
@Tag(name = "Jobs")
class JobEstimateController {
    private final JobEstimator estimator;

    JobEstimateController(JobEstimator estimator) {
        this.estimator = estimator;
    }

    @PostMapping("/estimate")
    @Operation(summary = "What a job would train: trainable and total parameters, steps and the result's size",
            description = "Takes the body of POST /v1/jobs and validates it the same way (404, 409, 422 invalid_job with "
                    + "errors[]); computed by the engine from the model's config.json and safetensors headers. Creates nothing. "
                    + "diff_bytes: the tensor payload of the result file (diff.safetensors, the adapter or model.safetensors), "
                    + "an upper bound when early stopping or rank decay cut the run short.")
    JobEstimator.JobEstimate estimate(Caller caller, @RequestBody(required = false) JsonNode body) {
        return estimator.estimate(caller, body);
    }

    @GetMapping("/defaults")
    @Operation(summary = "Every job knob with its default for a task and method, and a one-line explanation",
            description = "task: as given, else the model's family default (model_id), else text-classification; "
                    + "method: slicefine unless given. Defaults are the engine's (the learning rate depends on the method).")
    JobEstimator.JobDefaults defaults(Caller caller, @RequestParam(required = false) String task,
                                      @RequestParam(required = false) String method,
                                      @RequestParam(name = "model_id", required = false) UUID modelId) {
        return estimator.defaults(caller, task, method, modelId);
    }
}
