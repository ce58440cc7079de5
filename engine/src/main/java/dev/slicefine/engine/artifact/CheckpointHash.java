package dev.slicefine.engine.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of a base checkpoint: for a single {@code model.safetensors}, the file's sha256 (what
 * {@code sha256sum model.safetensors} prints); for a sharded checkpoint, the sha256 of the lines
 * "{@code <shard sha256>  <shard name>\n"} in shard-name order.
 */
public final class CheckpointHash {
    private CheckpointHash() {}

    public static String of(Path modelDir) {
        Path single = modelDir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return sha256(single);
        }
        try (var files = Files.list(modelDir)) {
            List<Path> shards = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (shards.isEmpty()) {
                throw new IllegalArgumentException(modelDir + " holds no .safetensors file");
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path s : shards) {
                md.update((sha256(s) + "  " + s.getFileName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
