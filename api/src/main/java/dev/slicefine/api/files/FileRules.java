package dev.slicefine.api.files;

import dev.slicefine.api.common.ApiException;
import java.util.Locale;
import java.util.Set;

/** Which files are accepted where, and the refusals that explain themselves. */
public final class FileRules {
    private FileRules() {}

    private static final Set<String> PICKLE_EXTENSIONS = Set.of(".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib");
    private static final Set<String> MODEL_EXTENSIONS = Set.of(".safetensors", ".json", ".txt", ".model", ".md", ".jinja");
    private static final Set<String> MODEL_PLAIN_NAMES = Set.of("LICENSE", "NOTICE", ".gitattributes", "README");

    public enum ArchiveKind {
        ZIP("zip"), TAR("tar"), TAR_GZ("tar.gz");
        public final String format;
        ArchiveKind(String format) { this.format = format; }
    }

    /** The archive kind named by a file name, if it names one. */
    public static ArchiveKind archiveKind(String filename) {
        String lower = filename.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".zip")) return ArchiveKind.ZIP;
        if (lower.endsWith(".tar")) return ArchiveKind.TAR;
        if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return ArchiveKind.TAR_GZ;
        return null;
    }

    /** Refuses pickle-based checkpoints with the reason and the way out. */
    public static void refusePickle(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        for (String ext : PICKLE_EXTENSIONS) {
            if (lower.endsWith(ext)) {
                throw ApiException.unprocessable("pickle_not_allowed", "'" + path + "' is a pickle-based file (" + ext
                        + "). Loading pickle can execute arbitrary code, so SliceFine accepts weights only as safetensors. "
                        + "Convert it first, e.g. with transformers: AutoModel.from_pretrained(dir).save_pretrained(out, "
                        + "safe_serialization=True), or with the safetensors convert script, then upload the .safetensors files.");
            }
        }
    }

    /** A file inside a Hugging Face checkpoint: safetensors weights, JSON configs, tokenizer files, docs. */
    public static void checkModelFile(String path) {
        refusePickle(path);
        String name = SafePaths.fileName(path);
        String lower = name.toLowerCase(Locale.ROOT);
        if (MODEL_PLAIN_NAMES.contains(name)) {
            return;
        }
        for (String ext : MODEL_EXTENSIONS) {
            if (lower.endsWith(ext)) {
                return;
            }
        }
        throw ApiException.unsupported("'" + path + "' is not a recognised checkpoint file. A model is a Hugging Face "
                + "folder (config.json, *.safetensors, model.safetensors.index.json, tokenizer files, "
                + "preprocessor_config.json) sent as files or as one .zip, .tar or .tar.gz");
    }
}
