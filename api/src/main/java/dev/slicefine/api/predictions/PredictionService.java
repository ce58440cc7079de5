package dev.slicefine.api.predictions;

import dev.slicefine.api.artifacts.ArtifactService;
import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Folders;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.models.ModelDirs;
import dev.slicefine.api.models.ModelFileView;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.jobs.JobEntity;
import dev.slicefine.api.jobs.JobRepository;
import dev.slicefine.api.jobs.JobStatus;
import dev.slicefine.api.models.ModelService;
import org.springframework.stereotype.Service;

/**
 * Finds the model a prediction asks for (a tenant's ready model, or a tenant's succeeded job: its base plus its result)
 * and leases it from the {@link PredictionCache}, loading it on a miss: the model's files linked into a temporary
 * folder, the job's diff unpacked beside them, merged in memory by the engine, the folders deleted after the load.
 */
@Service
class PredictionService {
    private final ModelService models;
    private final JobRepository jobs;
    private final BlobStore store;
    private final ArtifactService artifacts;
    private final PredictionCache cache;
    private final SliceFineProperties properties;

    PredictionService(ModelService models, JobRepository jobs, BlobStore store, ArtifactService artifacts, PredictionCache cache,
                      SliceFineProperties properties) {
        this.models = models;
        this.jobs = jobs;
        this.store = store;
        this.artifacts = artifacts;
        this.cache = cache;
        this.properties = properties;
    }

    PredictionCache.Lease model(Caller caller, UUID modelId) {
        ValidationStatus status = models.status(caller.tenantId(), modelId)
                .orElseThrow(() -> ApiException.notFound("Model"));
        if (status != ValidationStatus.ready) {
            throw ApiException.conflict("model_not_ready", "Model " + modelId + " is " + status + ", not ready");
        }
        return cache.acquire("model:" + modelId, loader(modelId, null));
    }

    PredictionCache.Lease job(Caller caller, UUID jobId) {
        JobRepository.JobRow job = jobs.findByIdAndTenantIdAndKind(jobId, caller.tenantId(), "train").map(JobEntity::row)
                .orElseThrow(() -> ApiException.notFound("Job"));
        if (job.status() != JobStatus.succeeded) {
            throw ApiException.conflict("job_not_succeeded", "Job " + jobId + " is " + job.status()
                    + "; predictions need a finished result");
        }
        UUID model = job.modelId();
        if (model == null) {
            throw ApiException.conflict("model_deleted", "The base model of job " + jobId + " was deleted");
        }
        return cache.acquire("job:" + jobId, loader(model, jobId));
    }

    private PredictionCache.Loader loader(UUID modelId, UUID jobId) {
        return new PredictionCache.Loader() {
            private Path work;
            private ModelDirs modelDir;
            private Path result;

            private void open() {
                if (work != null) {
                    return;
                }
                try {
                    Files.createDirectories(properties.tmpDir());
                    work = Files.createTempDirectory(properties.tmpDir(), "predict-");
                    List<ModelFileView> files = models.files(modelId);
                    modelDir = ModelDirs.materialise(files, store, work.resolve("model"));
                    if (jobId != null) {
                        result = artifacts.unpackResult(jobId, work.resolve("result"))
                                .orElseThrow(() -> ApiException.conflict("artifact_not_ready", "Job " + jobId + " has no result"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public long estimateBytes() {
                open();
                boolean full = result != null && !LoadedModel.isDiff(result);
                return LoadedModel.estimateBytes(full ? result : modelDir.path());
            }

            @Override
            public LoadedModel load() {
                open();
                try {
                    if (result != null && !LoadedModel.isDiff(result)) {
                        return LoadedModel.load(result, null, 0);
                    }
                    return LoadedModel.load(modelDir.path(), result, 0);
                } catch (IllegalArgumentException e) {
                    throw ApiException.unprocessable("model_unusable", e.getMessage());
                }
            }

            @Override
            public void cleanup() {
                if (modelDir != null) {
                    modelDir.close();
                }
                if (work != null) {
                    Folders.deleteTree(work);
                }
            }
        };
    }
}
