package dev.slicefine.api.predictions;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Problems;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.predict.ClassPrediction;
import dev.slicefine.engine.predict.Generation;
import dev.slicefine.engine.predict.GenerationOptions;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.engine.predict.Predictor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import dev.slicefine.api.files.MultipartUpload;
import dev.slicefine.storage.BlobStore;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Try a model: classification ({"inputs": [...]} or multipart images) or causal-LM generation ({"prompt",
 * "max_new_tokens", "temperature", "top_p", "seed", "stop"}), on a base model or a job's result.
 */
@RestController
@Tag(name = "Predictions")
class PredictionController {
    static final int MAX_INPUTS = 256;
    static final int MAX_INPUT_CHARS = 100_000;
    static final long MAX_IMAGE_BYTES = 64L << 20;

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Classified(String task, List<ClassPrediction> predictions) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Completion(String task, String completion, String finishReason, long[] tokens, int promptTokens,
                      double tokensPerSecond) {}

    private final PredictionService service;
    private final BlobStore store;

    PredictionController(PredictionService service, BlobStore store) {
        this.service = service;
        this.store = store;
    }

    @PostMapping(value = "/v1/models/{id}/predictions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Predict with a base model: {\"inputs\": [text, ...]} for a classifier, {\"prompt\", ...} for a causal LM")
    Object modelJson(Caller caller, @PathVariable UUID id, @RequestBody(required = false) JsonNode body) {
        try (PredictionCache.Lease lease = service.model(caller, id)) {
            return predict(lease.model(), body);
        }
    }

    @PostMapping(value = "/v1/jobs/{id}/predictions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Predict with a job's result (base + diff merged in memory, cached)")
    Object jobJson(Caller caller, @PathVariable UUID id, @RequestBody(required = false) JsonNode body) {
        try (PredictionCache.Lease lease = service.job(caller, id)) {
            return predict(lease.model(), body);
        }
    }

    @PostMapping(value = "/v1/models/{id}/predictions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Classify images (multipart parts named images) with a base image classifier")
    Classified modelImages(Caller caller, @PathVariable UUID id, HttpServletRequest request) throws IOException {
        List<BufferedImage> images = readImages(request);
        try (PredictionCache.Lease lease = service.model(caller, id)) {
            return images(lease.model(), images);
        }
    }

    @PostMapping(value = "/v1/jobs/{id}/predictions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Classify images (multipart parts named images) with a job's result")
    Classified jobImages(Caller caller, @PathVariable UUID id, HttpServletRequest request) throws IOException {
        List<BufferedImage> images = readImages(request);
        try (PredictionCache.Lease lease = service.job(caller, id)) {
            return images(lease.model(), images);
        }
    }

    /** The request's image parts, streamed to temporary files by the upload parser, decoded, and the files dropped. */
    private List<BufferedImage> readImages(HttpServletRequest request) throws IOException {
        MultipartUpload.Result parts = MultipartUpload.read(request, store, MAX_IMAGE_BYTES, (name, fields) -> { });
        try {
            if (parts.files().isEmpty() || parts.files().size() > MAX_INPUTS) {
                throw invalid("images", "required", "send 1 to " + MAX_INPUTS + " images");
            }
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < parts.files().size(); i++) {
                BufferedImage img = ImageIO.read(parts.files().get(i).blob().tempFile().toFile());
                if (img == null) {
                    throw invalid("images[" + i + "]", "invalid_image", "is not a PNG, JPEG, BMP or GIF image");
                }
                images.add(img);
            }
            return images;
        } finally {
            parts.discard(store);
        }
    }

    private static Object predict(LoadedModel model, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw invalid("", "not_an_object", "the body must be a JSON object");
        }
        Predictor p = new Predictor(model);
        if (model.task() == Task.CAUSAL_LM) {
            JsonNode prompt = body.get("prompt");
            if (prompt == null || !prompt.isString() || prompt.asString().isEmpty()) {
                throw invalid("prompt", "required", "a causal LM needs a non-empty prompt string");
            }
            List<String> stop = new ArrayList<>();
            JsonNode s = body.get("stop");
            if (s != null && s.isString()) {
                stop.add(s.asString());
            } else if (s != null && s.isArray()) {
                s.forEach(x -> stop.add(x.asString()));
            }
            GenerationOptions options;
            try {
                options = new GenerationOptions(body.path("max_new_tokens").asInt(32), body.path("temperature").asDouble(0),
                        body.path("top_p").asDouble(1), body.path("seed").asLong(0), stop);
            } catch (IllegalArgumentException e) {
                String field = e.getMessage().split(" ")[0];
                throw invalid(field, "out_of_range", e.getMessage());
            }
            Generation g = p.generate(prompt.asString(), options);
            return new Completion(model.task().id(), g.text(), g.finishReason(), g.tokens(), g.promptTokens(), g.tokensPerSecond());
        }
        if (model.task() == Task.IMAGE_CLASSIFICATION) {
            throw invalid("inputs", "images_required", "an image classifier takes multipart images (parts named images)");
        }
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty() || inputs.size() > MAX_INPUTS) {
            throw invalid("inputs", "required", "a classifier needs inputs: an array of 1 to " + MAX_INPUTS + " texts");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode t = inputs.get(i);
            if (!t.isString() || t.asString().length() > MAX_INPUT_CHARS) {
                throw invalid("inputs[" + i + "]", "invalid_text", "must be a string of at most " + MAX_INPUT_CHARS + " characters");
            }
            texts.add(t.asString());
        }
        return new Classified(model.task().id(), p.classify(texts));
    }

    private static Classified images(LoadedModel model, List<BufferedImage> images) {
        if (model.task() != Task.IMAGE_CLASSIFICATION) {
            throw invalid("images", "not_an_image_model", "this model does " + model.task().id() + "; send JSON");
        }
        return new Classified(model.task().id(), new Predictor(model).classifyImages(images));
    }

    /** 422 invalid_prediction naming the field. */
    static final class InvalidPrediction extends ApiException {
        final Map<String, String> error;

        InvalidPrediction(String field, String code, String message) {
            super(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT, "invalid_prediction",
                    "The prediction request is invalid: " + (field.isEmpty() ? "" : field + " ") + message);
            this.error = Map.of("field", field, "code", code, "message", message);
        }
    }

    private static InvalidPrediction invalid(String field, String code, String message) {
        return new InvalidPrediction(field, code, message);
    }

    @ExceptionHandler(InvalidPrediction.class)
    ResponseEntity<ProblemDetail> invalid(InvalidPrediction e) {
        ProblemDetail problem = Problems.of(e.status(), e.code(), e.getMessage());
        problem.setProperty("errors", List.of(e.error));
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @ExceptionHandler(PredictionCache.RetryLater.class)
    ResponseEntity<ProblemDetail> retryLater(PredictionCache.RetryLater e) {
        return ResponseEntity.status(e.status()).header("Retry-After", Integer.toString(e.retryAfterSeconds()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(Problems.of(e.status(), e.code(), e.getMessage()));
    }
}
