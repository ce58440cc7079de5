package dev.slicefine.api.files;

import dev.slicefine.api.common.ApiException;
import dev.slicefine.api.common.TextFields;
import java.util.ArrayList;
import java.util.List;

/** File names from clients and archive entries become relative paths with no way out of their folder. */
public final class SafePaths {
    private SafePaths() {}

    /** A normalized relative path ("a/b.json"), or a 400 {@code unsafe_path} for traversal, absolute paths and odd characters. */
    public static String relative(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiException.badRequest("unsafe_path", "A file has no name");
        }
        if (!TextFields.clean(raw)) {
            throw ApiException.badRequest("unsafe_path", "The path '" + printable(raw) + "' contains control characters");
        }
        if (raw.indexOf('\\') >= 0) {
            throw ApiException.badRequest("unsafe_path", "The path '" + raw + "' contains a backslash; use '/' separators");
        }
        if (raw.startsWith("/") || raw.matches("^[A-Za-z]:.*") || raw.startsWith("~")) {
            throw ApiException.badRequest("unsafe_path", "The path '" + raw + "' is absolute; only relative paths are accepted");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : raw.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw ApiException.badRequest("unsafe_path", "The path '" + raw + "' leaves its folder ('..')");
            }
            segments.add(segment);
        }
        if (segments.isEmpty()) {
            throw ApiException.badRequest("unsafe_path", "The path '" + raw + "' names no file");
        }
        String joined = String.join("/", segments);
        if (joined.length() > 512) {
            throw ApiException.badRequest("unsafe_path", "The path '" + joined.substring(0, 60) + "...' is too long");
        }
        return joined;
    }

    public static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** Files an archiver adds that are not part of the content. */
    public static boolean isOsClutter(String path) {
        String name = fileName(path);
        return path.startsWith("__MACOSX/") || path.contains("/__MACOSX/") || name.equals(".DS_Store")
                || name.equals("Thumbs.db") || name.startsWith("._");
    }

    private static String printable(String raw) {
        return raw.replaceAll("\\p{Cntrl}", "?");
    }
}
