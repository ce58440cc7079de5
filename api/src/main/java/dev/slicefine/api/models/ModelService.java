package dev.slicefine.api.models;

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
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import dev.slicefine.api.common.TenantPageQuery;
import tools.jackson.databind.json.JsonMapper;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Service;

/** Model uploads (files or one archive), listing and deletion; validation is handed to {@link ModelValidation}. */
@Service
public class ModelService {
    /** A file of the checkpoint, not yet visible. */
    public record StagedFile(String path, BlobCandidate blob) {}

    private final ModelRepository models;
    private final BlobStore store;
    private final BlobRefs refs;
    private final JobUsage jobs;
    private final ModelValidation validation;
    private final SliceFineProperties properties;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    ModelService(ModelRepository models, BlobStore store, BlobRefs refs, JobUsage jobs, ModelValidation validation,
                 SliceFineProperties properties, TransactionTemplate tx, JsonMapper json) {
        this.json = json;
        this.models = models;
        this.store = store;
        this.refs = refs;
        this.jobs = jobs;
        this.validation = validation;
        this.properties = properties;
        this.tx = tx;
    }

    public ModelView upload(Caller caller, HttpServletRequest request) throws IOException {
        List<String> names = new ArrayList<>();
        MultipartUpload.Result parts = MultipartUpload.read(request, store, properties.upload().maxBytes().toBytes(), (raw, fields) -> {
            String path = SafePaths.relative(raw);
            if (FileRules.archiveKind(path) == null) {
                FileRules.checkModelFile(path);
            } else if (!names.isEmpty()) {
                throw ApiException.badRequest("archive_with_files", "Send either one archive or the checkpoint files, not both");
            }
            if (!names.isEmpty() && FileRules.archiveKind(names.get(0)) != null) {
                throw ApiException.badRequest("archive_with_files", "Send either one archive or the checkpoint files, not both");
            }
            names.add(path);
        });
        try {
            String name = modelName(parts.field("name"));
            if (parts.files().isEmpty()) {
                throw ApiException.badRequest("no_files", "No files in the upload: send the checkpoint files or one archive as 'file' parts");
            }
            MultipartUpload.FilePart first = parts.files().get(0);
            FileRules.ArchiveKind kind = FileRules.archiveKind(first.filename());
            if (kind != null) {
                return createFromArchive(caller, name, SafePaths.relative(first.filename()), first.blob(), id -> { });
            }
            List<StagedFile> staged = parts.files().stream()
                    .map(f -> new StagedFile(SafePaths.relative(f.filename()), f.blob())).toList();
            return create(caller, name, "files", null, staged, id -> { });
        } catch (RuntimeException | IOException e) {
            parts.discard(store);
            throw e;
        }
    }

    /**
     * Unpacks an archive (already hashed in {@code archive}) into staged files and creates the model;
     * {@code inTransaction} runs in the transaction that inserts it.
     */
    public ModelView createFromArchive(Caller caller, String name, String filename, BlobCandidate archive,
                                       Consumer<UUID> inTransaction) throws IOException {
        FileRules.ArchiveKind kind = FileRules.archiveKind(filename);
        if (kind == null) {
            throw ApiException.unsupported("'" + filename + "' is not a .zip, .tar or .tar.gz archive");
        }
        List<StagedFile> staged = new ArrayList<>();
        try {
            new ArchiveReader(properties.archive()).read(archive.tempFile(), kind, filename, (path, in) -> {
                FileRules.checkModelFile(path);
                staged.add(new StagedFile(path, store.write(in, Long.MAX_VALUE)));
            });
            return create(caller, name, kind.format, archive.sha256(), stripCommonFolder(staged), inTransaction);
        } catch (RuntimeException | IOException e) {
            staged.forEach(f -> store.discard(f.blob()));
            throw e;
        } finally {
            store.discard(archive);
        }
    }

    private ModelView create(Caller caller, String name, String sourceFormat, String uploadSha256, List<StagedFile> files,
                             Consumer<UUID> inTransaction) {
        if (files.isEmpty()) {
            throw ApiException.unprocessable("empty_model", "The upload holds no checkpoint files");
        }
        Set<String> seen = new HashSet<>();
        for (StagedFile f : files) {
            if (!seen.add(f.path())) {
                throw ApiException.badRequest("duplicate_file", "'" + f.path() + "' was sent twice");
            }
        }
        UUID id = UUID.randomUUID();
        long total = files.stream().mapToLong(f -> f.blob().size()).sum();
        tx.executeWithoutResult(status -> {
            refs.acquireAll(files.stream().map(StagedFile::blob).toList());
            models.save(new ModelEntity(id, caller.tenantId(), name, sourceFormat, manifestDigest(files), uploadSha256,
                    total, files.stream().map(f -> new ModelEntity.File(f.path(), f.blob().sha256(), f.blob().size())).toList()));
            inTransaction.accept(id);
        });
        ModelView created = get(caller, id); // as created: 'validating', whatever the validator does next
        validation.submit(id);
        return created;
    }

    public ModelView get(Caller caller, UUID id) {
        return models.findByIdAndTenantId(id, caller.tenantId()).map(m -> m.view(json))
                .orElseThrow(() -> ApiException.notFound("Model"));
    }

    /** A model's files in path order (none when it is gone). */
    public List<ModelFileView> files(UUID id) {
        return models.findById(id).map(ModelEntity::files).orElse(List.of());
    }

    public Optional<String> name(UUID id) {
        return models.nameOf(id);
    }

    /** The status of a tenant's model; empty when it has none by that id. */
    public Optional<ValidationStatus> status(UUID tenantId, UUID id) {
        return models.findByIdAndTenantId(id, tenantId).map(ModelEntity::status);
    }

    public Page<ModelView> list(Caller caller, ValidationStatus status, String name, String cursor, Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
        List<ModelView> rows = new TenantPageQuery<ModelEntity>(caller.tenantId())
                .where("status", status)
                .nameContains(name == null || name.isBlank() ? null : name)
                .list(models, after, size + 1).stream().map(m -> m.view(json)).toList();
        return Page.of(rows, size, m -> new Cursor(m.createdAt(), m.id()), m -> m);
    }

    public void delete(Caller caller, UUID id) {
        tx.executeWithoutResult(status -> {
            if (models.lock(caller.tenantId(), id).isEmpty()) {
                throw ApiException.notFound("Model");
            }
            if (jobs.modelInUse(id)) {
                throw ApiException.conflict("model_in_use", "A queued or running job uses this model; cancel it or wait for it to finish");
            }
            List<String> blobs = files(id).stream().map(ModelFileView::sha256).sorted().toList();
            models.deleteNow(id);
            blobs.forEach(refs::release);
        });
    }

    private static String modelName(String requested) {
        String name = requested == null ? "model" : requested;
        if (name.length() > 200) {
            throw ApiException.badRequest("invalid_request", "name: at most 200 characters");
        }
        return name;
    }

    /** An archive of a folder ("bert-tiny/config.json", ...) becomes the folder's content. */
    static List<StagedFile> stripCommonFolder(List<StagedFile> files) {
        if (files.isEmpty() || files.stream().anyMatch(f -> !f.path().contains("/"))) {
            return files;
        }
        String root = files.get(0).path().substring(0, files.get(0).path().indexOf('/') + 1);
        if (files.stream().allMatch(f -> f.path().startsWith(root))) {
            return stripCommonFolder(files.stream().map(f -> new StagedFile(f.path().substring(root.length()), f.blob())).toList());
        }
        return files;
    }

    static String manifestDigest(List<StagedFile> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            files.stream().sorted(Comparator.comparing(StagedFile::path)).forEach(f ->
                    digest.update((f.path() + " " + f.blob().sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
