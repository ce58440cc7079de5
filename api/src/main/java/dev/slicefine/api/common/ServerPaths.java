package dev.slicefine.api.common;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Keeps server paths out of what clients read (problem details, validation reports): a path under the data dir
 * becomes its last segment, the name a client knows (a file of its checkpoint, or a blob's hash).
 */
public final class ServerPaths {
    private ServerPaths() {}

    public static String redact(String text, Path dataDir) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Path root : new Path[]{dataDir.toAbsolutePath().normalize(), real(dataDir)}) {
            if (root == null) {
                continue;
            }
            out = out.replaceAll(Pattern.quote(root.toString()) + "(?:/[^\\s'\",:;()\\[\\]]*)*/([^/\\s'\",:;()\\[\\]]+)",
                    "$1");
            out = out.replace(root.toString(), "<data>");
        }
        if (!dataDir.isAbsolute()) {
            out = out.replace(dataDir.toString() + "/", "");
        }
        return out;
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (Exception e) {
            return null;
        }
    }
}
