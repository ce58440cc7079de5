package dev.slicefine.api.artifacts;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;

/**
 * Serves one immutable blob file: ETag = its sha256 (If-None-Match -> 304), a single byte range (206 +
 * Content-Range; If-Range honoured; several ranges get the whole file), 416 for a range outside the file. Bytes go
 * from the file channel to the socket in chunks, so a 1 GB download costs no heap.
 */
final class BlobDownload {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private BlobDownload() {}

    /** The answer to a Range header, or null for the whole file; throws for an unsatisfiable one. */
    record Range(long start, long end) {
        long length() {
            return end - start + 1;
        }
    }

    static final class Unsatisfiable extends RuntimeException {
        Unsatisfiable() {
            super(null, null, false, false);
        }
    }

    static Range parse(String header, long size) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip();
        if (h.contains(",")) {
            return null;
        }
        Matcher m = RANGE.matcher(h);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw new Unsatisfiable();
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw new Unsatisfiable();
                }
                return new Range(Math.max(0, size - suffix), size - 1);
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (start >= size || end < start) {
                throw new Unsatisfiable();
            }
            return new Range(start, end);
        } catch (NumberFormatException e) {
            throw new Unsatisfiable();
        }
    }

    static void serve(HttpServletRequest request, HttpServletResponse response, Path file, String sha256, long size,
                      String filename, String contentType) throws IOException {
        String etag = "\"" + sha256 + "\"";
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString());
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        Range range;
        String ifRange = request.getHeader(HttpHeaders.IF_RANGE);
        if (ifRange != null && !ifRange.strip().equals(etag)) {
            range = null;
        } else {
            range = parse(request.getHeader(HttpHeaders.RANGE), size);
        }
        response.setContentType(contentType);
        long start = 0;
        long length = size;
        if (range != null) {
            response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes " + range.start() + "-" + range.end() + "/" + size);
            start = range.start();
            length = range.length();
        } else {
            response.setStatus(HttpServletResponse.SC_OK);
        }
        response.setContentLengthLong(length);
        if ("HEAD".equals(request.getMethod())) {
            return;
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            OutputStream out = response.getOutputStream();
            WritableByteChannel channel = Channels.newChannel(out);
            long position = start;
            long end = start + length;
            while (position < end) {
                long n = in.transferTo(position, Math.min(1 << 20, end - position), channel);
                if (n <= 0) {
                    throw new IOException("blob " + sha256 + " ended early");
                }
                position += n;
            }
            out.flush();
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
