package dev.slicefine.engine.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.io.HfJson;
import dev.slicefine.engine.models.ModelFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How a fine-tuned model is saved so that transformers loads it unchanged as the class of its task: the one place that
 * names that class, patches config.json (architectures, id2label / label2id) and names the tensors. A bare encoder
 * checkpoint (a sentence-transformers BertModel, tensors without "bert.") gets the family prefix on its backbone
 * tensors once it carries a head, since BertForSequenceClassification finds them only under that prefix. Merges, full
 * fine-tunes and PEFT adapters all ask this class.
 */
public final class TaskCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** family: the base's; bare: the base's backbone tensors have no prefix; classifier: a classification head trained. */
    public record Form(ModelFamily family, boolean bare, boolean classifier) {
        /** The transformers class to load the result with; null keeps the base's architectures. */
        public String architecture() {
            return switch (family) {
                case LLAMA -> "LlamaForCausalLM";
                case BERT -> classifier ? "BertForSequenceClassification" : null;
                case ROBERTA -> classifier ? "RobertaForSequenceClassification" : null;
                case VIT -> classifier ? "ViTForImageClassification" : null;
            };
        }

        /** The prefix the task model's backbone tensors need that the base's lack ("bert.", "roberta." or ""). */
        public String addedPrefix() {
            return bare && classifier ? family.modelType() + "." : "";
        }

        /** A base tensor's name in the task checkpoint. */
        public String name(String baseName) {
            String p = addedPrefix();
            return p.isEmpty() || baseName.startsWith("classifier.") ? baseName : p + baseName;
        }

        /** The inverse of {@link #name}: a task checkpoint's tensor name as the base names it. */
        public String baseName(String taskName) {
            String p = addedPrefix();
            return !p.isEmpty() && taskName.startsWith(p) ? taskName.substring(p.length()) : taskName;
        }
    }

    private TaskCheckpoint() {}

    /** The form of a result on the base in modelDir (its backbone prefix decides "bare"). */
    public static Form form(ModelFamily family, String basePrefix, boolean classifier) {
        return new Form(family, basePrefix.isEmpty() && (family == ModelFamily.BERT || family == ModelFamily.ROBERTA), classifier);
    }

    /**
     * Writes out/config.json from the base's: architectures for the task and, for a classifier, the labels as
     * transformers reads them (id2label, label2id; a stale num_labels dropped). Written as transformers writes it.
     */
    public static void writeConfig(Path baseDir, Path outDir, Form form, List<String> labels) throws IOException {
        Path base = baseDir.resolve("config.json");
        if (!Files.isRegularFile(base)) {
            return;
        }
        ObjectNode c = (ObjectNode) JSON.readTree(base.toFile());
        String arch = form.architecture();
        if (arch != null) {
            c.putArray("architectures").add(arch);
        }
        if (form.classifier() && !labels.isEmpty()) {
            c.remove("num_labels");
            c.remove("classifier_pooling"); // written by earlier versions; transformers never read it
            ObjectNode id2label = c.putObject("id2label");
            ObjectNode label2id = c.putObject("label2id");
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
        }
        HfJson.write(outDir.resolve("config.json"), c);
    }
}
