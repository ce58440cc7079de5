package dev.slicefine.api.datasets;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Page;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.api.common.JobUsage;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobRefs;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.api.files.ArchiveReader;
import dev.slicefine.api.files.FileRules;
import dev.slicefine.api.files.MultipartUpload;
import dev.slicefine.api.files.SafePaths;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.Task;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import dev.slicefine.api.common.TenantPageQuery;
import tools.jackson.databind.json.JsonMapper;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Service;

/** Dataset uploads (one file per dataset), listing and deletion; validation runs in {@link DatasetValidation}. */
@Service
public class DatasetService {
    /**
     * Options sent with an upload. task: null to infer it from the file when it is validated; fields: the names of
     * the dataset's fields (ignored for an image dataset).
     */
    public record Options(String name, String format, Task task, DatasetFields fields) {
        /** From the form or request fields as sent: a bad task or field name is a 400 naming it. */
        public static Options of(String name, String format, String task, String textField, String labelField,
                                 String textPairField, String promptField, String completionField) {
            Task parsed = null;
            if (task != null && !task.isBlank()) {
                try {
                    parsed = Task.parse(task.trim());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("invalid_task", "task: " + e.getMessage());
                }
            }
            try {
                return new Options(name, format, parsed, new DatasetFields(textField, labelField, textPairField,
                        promptField, completionField));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_field_names", e.getMessage());
            }
        }
    }

    private final DatasetRepository datasets;
    private final BlobStore store;
    private final BlobRefs refs;
    private final JobUsage jobs;
    private final DatasetValidation validation;
    private final SliceFineProperties properties;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    DatasetService(DatasetRepository datasets, BlobStore store, BlobRefs refs, JobUsage jobs,
                   DatasetValidation validation, SliceFineProperties properties, TransactionTemplate tx, JsonMapper json) {
        this.json = json;
        this.datasets = datasets;
        this.store = store;
        this.refs = refs;
        this.jobs = jobs;
        this.validation = validation;
        this.properties = properties;
        this.tx = tx;
    }

    /** Refuses a file name before any byte is read. */
    public static void checkFilename(String raw, String requestedFormat) {
        String path = SafePaths.relative(raw);
        FileRules.refusePickle(path);
        DatasetFormat.of(path, requestedFormat);
    }

    public DatasetView upload(Caller caller, HttpServletRequest request) throws IOException {
        int[] files = {0};
        MultipartUpload.Result parts = MultipartUpload.read(request, store, properties.upload().maxBytes().toBytes(), (raw, fields) -> {
            if (++files[0] > 1) {
                throw ApiException.badRequest("too_many_files", "A dataset is one file; send it as a single 'file' part");
            }
            String format = fields.get("format");
            checkFilename(raw, format == null || format.isBlank() ? null : format.trim());
        });
        try {
            if (parts.files().isEmpty()) {
                throw ApiException.badRequest("no_files", "No file in the upload: send the dataset as a 'file' part");
            }
            MultipartUpload.FilePart file = parts.files().get(0);
            return create(caller, Options.of(parts.field("name"), parts.field("format"), parts.field("task"),
                    parts.field("text_field"), parts.field("label_field"), parts.field("text_pair_field"),
                    parts.field("prompt_field"), parts.field("completion_field")), file.filename(), file.blob(), id -> { });
        } catch (RuntimeException | IOException e) {
            parts.discard(store);
            throw e;
        }
    }

    /**
     * Creates the dataset from a hashed, not yet visible file; the candidate is consumed either way.
     * {@code inTransaction} runs in the transaction that inserts it.
     */
    public DatasetView create(Caller caller, Options options, String rawFilename, BlobCandidate blob,
                              Consumer<UUID> inTransaction) throws IOException {
        try {
            String filename = SafePaths.fileName(SafePaths.relative(rawFilename));
            FileRules.refusePickle(filename);
            DatasetFormat format = DatasetFormat.of(filename, options.format());
            if (format == DatasetFormat.imagefolder) {
                new ArchiveReader(properties.archive()).inspectZip(blob.tempFile(), filename);
            }
            String name = options.name() == null ? filename : options.name();
            if (name.length() > 200) {
                throw ApiException.badRequest("invalid_request", "name: at most 200 characters");
            }
            if (options.task() != null && (options.task() == Task.IMAGE_CLASSIFICATION) != (format == DatasetFormat.imagefolder)) {
                throw ApiException.badRequest("invalid_task", "task: a " + format + " dataset cannot be for "
                        + options.task().id() + (format == DatasetFormat.imagefolder ? " (a zip holds images)"
                        : " (image-classification takes a zip of label/image folders)"));
            }
            DatasetFields fields = format == DatasetFormat.imagefolder ? null : options.fields();
            UUID id = UUID.randomUUID();
            tx.executeWithoutResult(status -> {
                refs.acquire(blob);
                datasets.save(new DatasetEntity(id, caller.tenantId(), name, format, filename, blob.sha256(), blob.size(),
                        options.task(), fields));
                inTransaction.accept(id);
            });
            DatasetView created = get(caller, id); // as created: 'validating', whatever the validator does next
            validation.submit(id);
            return created;
        } finally {
            store.discard(blob); // no-op once published
        }
    }

    public DatasetView get(Caller caller, UUID id) {
        return datasets.findByIdAndTenantId(id, caller.tenantId()).map(d -> d.view(json))
                .orElseThrow(() -> ApiException.notFound("Dataset"));
    }

    /** The status of a tenant's dataset; empty when it has none by that id. */
    public Optional<ValidationStatus> status(UUID tenantId, UUID id) {
        return datasets.findByIdAndTenantId(id, tenantId).map(DatasetEntity::status);
    }

    public Page<DatasetView> list(Caller caller, ValidationStatus status, DatasetFormat format, String name,
                                  String cursor, Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
        List<DatasetView> rows = new TenantPageQuery<DatasetEntity>(caller.tenantId())
                .where("status", status)
                .where("format", format)
                .nameContains(name == null || name.isBlank() ? null : name)
                .list(datasets, after, size + 1).stream().map(d -> d.view(json)).toList();
        return Page.of(rows, size, d -> new Cursor(d.createdAt(), d.id()), d -> d);
    }

    public void delete(Caller caller, UUID id) {
        tx.executeWithoutResult(status -> {
            String blob = datasets.lockBlob(caller.tenantId(), id).orElseThrow(() -> ApiException.notFound("Dataset"));
            if (jobs.datasetInUse(id)) {
                throw ApiException.conflict("dataset_in_use", "A queued or running job uses this dataset; cancel it or wait for it to finish");
            }
            datasets.deleteNow(id);
            refs.release(blob);
        });
    }
}
