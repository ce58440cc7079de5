package dev.slicefine.api.uploads;

import dev.slicefine.api.auth.Caller;
import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.SliceFineProperties;
import dev.slicefine.api.common.TextFields;
import dev.slicefine.api.datasets.DatasetService;
import dev.slicefine.api.files.FileRules;
import dev.slicefine.api.files.SafePaths;
import dev.slicefine.api.models.ModelService;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobStore;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.time.Instant;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * tus-style resumable uploads. The bytes received so far are the file {@code <data-dir>/uploads/<id>.part}; its
 * length is the offset, so whatever reached the disk before a crash or a dropped connection counts, and the
 * client resumes from the offset HEAD reports. Completion hashes the file and hands it to models or datasets.
 */
@Service
public class ResumableUploadService {
    private static final Logger log = LoggerFactory.getLogger(ResumableUploadService.class);
    private static final int BUFFER = 256 * 1024;

    private final UploadRepository uploads;
    private final BlobStore store;
    private final ModelService models;
    private final DatasetService datasets;
    private final SliceFineProperties properties;
    private final JsonMapper json;
    private final Set<UUID> busy = ConcurrentHashMap.newKeySet();

    ResumableUploadService(UploadRepository uploads, BlobStore store, ModelService models, DatasetService datasets,
                           SliceFineProperties properties, JsonMapper json) {
        this.json = json;
        this.uploads = uploads;
        this.store = store;
        this.models = models;
        this.datasets = datasets;
        this.properties = properties;
    }

    public UploadView create(Caller caller, CreateUploadRequest request) throws IOException {
        long max = properties.upload().maxBytes().toBytes();
        if (request.size() > max) {
            throw ApiException.tooLarge("payload_too_large", "The upload is " + request.size() + " bytes; the limit is " + max + " bytes");
        }
        TextFields.check("name", request.name());
        TextFields.check("format", request.format());
        TextFields.check("text_field", request.textField());
        TextFields.check("label_field", request.labelField());
        String path = SafePaths.relative(request.filename());
        if (request.purpose() == UploadPurpose.model) {
            FileRules.refusePickle(path);
            if (FileRules.archiveKind(path) == null) {
                throw ApiException.unsupported("A resumable model upload is one archive of the checkpoint folder: .zip, .tar or .tar.gz");
            }
        } else {
            DatasetService.checkFilename(path, request.format());
            DatasetService.Options.of(request.name(), request.format(), request.task(), request.textField(),
                    request.labelField(), request.textPairField(), request.promptField(), request.completionField());
        }
        UUID id = UUID.randomUUID();
        uploads.save(new UploadEntity(id, caller.tenantId(), request.purpose(), request.filename(), request.size(),
                json.writeValueAsString(request)));
        Files.createDirectories(properties.uploadDir());
        Files.createFile(file(id));
        return get(caller, id);
    }

    public UploadView get(Caller caller, UUID id) throws IOException {
        return view(row(caller, id));
    }

    /** Appends the body at {@code offset}; returns the new offset. */
    public long append(Caller caller, UUID id, long offset, InputStream body) throws IOException {
        UploadEntity.Row row = row(caller, id);
        lock(id);
        try {
            requireOpen(row);
            Path file = file(id);
            long current = Files.size(file);
            if (offset != current) {
                throw new OffsetMismatch(current);
            }
            long remaining = row.size() - current;
            long written = 0;
            boolean overflow = false;
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                out.position(current);
                byte[] buffer = new byte[BUFFER];
                int n;
                try {
                    while ((n = body.read(buffer)) != -1) {
                        int keep = (int) Math.min(n, remaining - written);
                        ByteBuffer wrapped = ByteBuffer.wrap(buffer, 0, keep);
                        while (wrapped.hasRemaining()) {
                            out.write(wrapped);
                        }
                        written += keep;
                        if (keep < n) {
                            overflow = true;
                            break;
                        }
                    }
                } finally {
                    // What reached the file is kept, even when the client went away mid-chunk.
                    out.force(true);
                }
            }
            uploads.touch(id);
            if (overflow) {
                throw ApiException.badRequest("upload_length_exceeded",
                        "The body goes past the declared size of " + row.size() + " bytes; the excess was dropped");
            }
            return current + written;
        } finally {
            busy.remove(id);
        }
    }

    /** Turns a fully received upload into a model or dataset; calling it again returns the same result. */
    public UploadView complete(Caller caller, UUID id) throws IOException {
        UploadEntity.Row row = row(caller, id);
        if (row.status().equals("completed")) {
            return view(row);
        }
        lock(id);
        try {
            Path file = file(id);
            long received = Files.size(file);
            if (received != row.size()) {
                throw new ApiException(HttpStatus.CONFLICT, "upload_incomplete",
                        "Received " + received + " of " + row.size() + " bytes; send the rest with PATCH first");
            }
            BlobCandidate candidate = store.importFile(file);
            CreateUploadRequest meta = json.readerFor(CreateUploadRequest.class)
                    .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(row.metadata());
            // Marked completed in the transaction that creates the model or dataset: a crash cannot create it twice.
            try {
                if (row.purpose() == UploadPurpose.model) {
                    models.createFromArchive(caller, meta.name() == null ? "model" : meta.name(),
                            SafePaths.relative(row.filename()), candidate, result -> uploads.complete(id, result));
                } else {
                    datasets.create(caller, DatasetService.Options.of(meta.name(), meta.format(), meta.task(),
                            meta.textField(), meta.labelField(), meta.textPairField(), meta.promptField(),
                            meta.completionField()), row.filename(), candidate, result -> uploads.complete(id, result));
                }
            } catch (ApiException e) {
                if (e.status().is4xxClientError()) {
                    // Refused content will be refused again: drop the upload and its bytes now, not at expiry.
                    uploads.deleteNow(id);
                    Files.deleteIfExists(file);
                }
                throw e;
            }
            Files.deleteIfExists(file);
            return get(caller, id);
        } finally {
            busy.remove(id);
        }
    }

    public void abort(Caller caller, UUID id) throws IOException {
        row(caller, id);
        lock(id);
        try {
            uploads.deleteNow(id);
            Files.deleteIfExists(file(id));
        } finally {
            busy.remove(id);
        }
    }

    /** Drops uploads idle for longer than the expiry, and part files that no upload owns. */
    @PostConstruct
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void expire() throws IOException {
        for (UUID id : uploads.untouchedSince(Instant.now().minus(properties.upload().resumableExpiry()))) {
            if (busy.add(id)) {
                try {
                    uploads.deleteNow(id);
                    Files.deleteIfExists(file(id));
                } finally {
                    busy.remove(id);
                }
            }
        }
        Path dir = properties.uploadDir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> open = new HashSet<>();
        uploads.openIds().forEach(id -> open.add(id + ".part"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!open.contains(f.getFileName().toString())) {
                    log.info("Deleting orphaned upload file {}", f);
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private UploadEntity.Row row(Caller caller, UUID id) {
        return uploads.findByIdAndTenantId(id, caller.tenantId()).map(UploadEntity::row).orElseThrow(() -> ApiException.notFound("Upload"));
    }

    private void requireOpen(UploadEntity.Row row) {
        if (!row.status().equals("open")) {
            throw ApiException.conflict("upload_completed", "This upload is already completed");
        }
    }

    private void lock(UUID id) {
        if (!busy.add(id)) {
            throw ApiException.conflict("upload_busy", "Another request is writing to this upload");
        }
    }

    private Path file(UUID id) {
        return properties.uploadDir().resolve(id + ".part");
    }

    private UploadView view(UploadEntity.Row row) throws IOException {
        Path file = file(row.id());
        long offset = row.status().equals("completed") ? row.size() : (Files.exists(file) ? Files.size(file) : 0);
        String url = row.resultId() == null ? null
                : (row.purpose() == UploadPurpose.model ? "/v1/models/" : "/v1/datasets/") + row.resultId();
        return new UploadView(row.id(), row.purpose(), row.filename(), row.size(), offset, row.status(), row.resultId(),
                url, row.createdAt(), row.updatedAt().plus(properties.upload().resumableExpiry()));
    }

    /** 409 with the offset the server has, so the client can resume from there. */
    public static class OffsetMismatch extends ApiException {
        public final long current;

        OffsetMismatch(long current) {
            super(HttpStatus.CONFLICT, "offset_mismatch", "Upload-Offset does not match the " + current + " bytes received");
            this.current = current;
        }
    }
}
