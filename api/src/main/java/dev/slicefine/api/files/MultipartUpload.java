package dev.slicefine.api.files;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.storage.BlobCandidate;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.api.common.TextFields;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;

/**
 * Streams a multipart/form-data request part by part: each file goes straight into the blob store's temporary
 * area, hashed on the way, in constant memory. Nothing is published here; on any failure every part is dropped.
 */
public final class MultipartUpload {
    private static final int MAX_FIELD_BYTES = 64 * 1024;

    public record FilePart(String field, String filename, BlobCandidate blob) {}

    public record Result(Map<String, String> fields, List<FilePart> files) {
        public String field(String name) {
            String v = fields.get(name);
            return v == null || v.isBlank() ? null : v.trim();
        }

        public void discard(BlobStore store) {
            files.forEach(f -> store.discard(f.blob()));
        }
    }

    private MultipartUpload() {}

    /**
     * @param checkName called with each file name (and the fields read so far) before its bytes are read, so a
     *                  refused file is refused at once
     */
    public static Result read(HttpServletRequest request, BlobStore store, long maxBytes,
                              BiConsumer<String, Map<String, String>> checkName)
            throws IOException {
        if (request.getContentType() == null || !request.getContentType().toLowerCase().startsWith("multipart/form-data")) {
            throw new ApiException(org.springframework.http.HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Expected a multipart/form-data body");
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw ApiException.tooLarge("payload_too_large",
                    "The body is " + declared + " bytes; the limit is " + maxBytes + " bytes");
        }
        JakartaServletFileUpload<?, ?> upload = new JakartaServletFileUpload<>();
        upload.setSizeMax(maxBytes);
        upload.setFileCountMax(10_000);
        upload.setHeaderCharset(StandardCharsets.UTF_8);
        Map<String, String> fields = new LinkedHashMap<>();
        List<FilePart> files = new ArrayList<>();
        Result result = new Result(fields, files);
        boolean ok = false;
        try {
            FileItemInputIterator items = upload.getItemIterator(request);
            while (items.hasNext()) {
                FileItemInput item = items.next();
                try (InputStream in = item.getInputStream()) {
                    if (item.isFormField()) {
                        byte[] value = in.readNBytes(MAX_FIELD_BYTES + 1);
                        if (value.length > MAX_FIELD_BYTES) {
                            throw ApiException.badRequest("field_too_large", "Form field '" + item.getFieldName() + "' is too large");
                        }
                        TextFields.check("form field name", item.getFieldName());
                        fields.put(item.getFieldName(),
                                TextFields.check(item.getFieldName(), new String(value, StandardCharsets.UTF_8)));
                    } else {
                        String name;
                        try {
                            name = item.getName();
                        } catch (java.nio.file.InvalidPathException e) {
                            // commons-fileupload refuses a NUL in the name itself: the same refusal as ours.
                            name = "\0";
                        }
                        if (name == null || name.isEmpty()) {
                            throw ApiException.badRequest("missing_filename", "File part '" + item.getFieldName() + "' has no filename");
                        }
                        TextFields.check("filename", name);
                        checkName.accept(name, fields);
                        files.add(new FilePart(item.getFieldName(), name, store.write(in, maxBytes)));
                    }
                }
            }
            ok = true;
            return result;
        } finally {
            if (!ok) {
                result.discard(store);
            }
        }
    }
}
