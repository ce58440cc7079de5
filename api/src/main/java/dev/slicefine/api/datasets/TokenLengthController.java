package dev.slicefine.api.datasets;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.models.ModelFileView;
import dev.slicefine.api.models.ModelService;
import dev.slicefine.api.models.ModelView;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.data.DatasetOptions;
import dev.slicefine.engine.data.DatasetReader;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.data.ValidationReport;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RestController;

/**
 * Token-length percentiles of a text dataset under a named model's tokenizer (the engine's own dataset reader, so the
 * numbers are what training will see), and how many examples max_seq_len would truncate.
 */
@RestController
@Tag(name = "Datasets")
class TokenLengthController {
    private final DatasetService datasets;
    private final ModelService models;
    private final BlobStore store;
    private final SliceFineProperties properties;

    TokenLengthController(DatasetService datasets, ModelService models, BlobStore store, SliceFineProperties properties) {
        this.datasets = datasets;
        this.models = models;
        this.store = store;
        this.properties = properties;
    }

    record TokenLengths(UUID datasetId, UUID modelId, int maxSeqLen, long examples, int p50, int p90, int p99, int max,
                        long truncated) {}

    @GetMapping("/v1/datasets/{id}/token-lengths")
    @Operation(summary = "Token-length percentiles of a text dataset under a model's tokenizer, and how many examples max_seq_len truncates")
    TokenLengths tokenLengths(Caller caller, @PathVariable UUID id, @RequestParam("model_id") UUID modelId,
                              @RequestParam(name = "max_seq_len", defaultValue = "128") int maxSeqLen) {
        if (maxSeqLen < 2 || maxSeqLen > 1_000_000) {
            throw ApiException.badRequest("invalid_max_seq_len", "max_seq_len must be between 2 and 1000000, got " + maxSeqLen);
        }
        DatasetView dataset = datasets.get(caller, id);
        ModelView model = models.get(caller, modelId);
        if (dataset.format() == DatasetFormat.imagefolder) {
            throw ApiException.conflict("not_a_text_dataset", "dataset " + id + " is an image dataset: it has no tokens");
        }
        if (dataset.status() != ValidationStatus.ready) {
            throw ApiException.conflict("dataset_not_ready", "dataset " + id + " is " + dataset.status() + ", not ready");
        }
        ModelFileView tokenizerFile = model.files().stream().filter(f -> f.path().equals("tokenizer.json")).findFirst()
                .orElseThrow(() -> ApiException.conflict("no_tokenizer", "model " + modelId + " has no tokenizer.json"));
        EngineRuntime.configure();
        try (LinkedDataset data = LinkedDataset.of(store, dataset, properties.tmpDir())) {
            try (TextTokenizer tok = TextTokenizer.load(store.localFile(tokenizerFile.sha256()), 0)) {
                // The dataset's own task and field names, as training reads it (a causal LM's EOS is not counted).
                DatasetOptions options = new DatasetOptions(Task.parse(dataset.task()), tok, maxSeqLen, null, null, null, 0,
                        dataset.fields());
                ValidationReport r = DatasetReader.validate(data.file(), options);
                ValidationReport.TokenStats t = r.tokens();
                if (t == null) {
                    throw ApiException.unprocessable("no_token_stats", "the dataset has no valid text example to measure");
                }
                return new TokenLengths(id, modelId, maxSeqLen, r.validExamples(), t.p50(), t.p90(), t.p99(), t.max(), t.truncated());
            } catch (IllegalArgumentException e) {
                throw ApiException.unprocessable("invalid_tokenizer", "model " + modelId + ": " + e.getMessage());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
