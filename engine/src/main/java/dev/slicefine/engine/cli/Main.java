package dev.slicefine.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.checkpoint.ModelInspector;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.checkpoint.ModelReport;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.SafetensorsFile;
import dev.slicefine.engine.io.SafetensorsWriter;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.ModelOutput;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The engine's side of the {@code ./slicefine} launcher: one subcommand per user task. Exit 0 ok, 1 failed, 2 usage. */
public final class Main {
    static final String USAGE = """
            usage: slicefine <command> [options]
              inspect --model DIR                      family, parameters, dtypes, tensors and the validation verdict
              logits  --model DIR --inputs IN.safetensors --out OUT.safetensors [--hidden]
                                                       eval-mode forward pass; OUT holds 'logits' (and hidden states with --hidden)
              train   --model DIR --task text-classification|causal-lm|image-classification --dataset FILE --out DIR
                      [--validation FILE | --validation-split 0.1] [--batches FILE (replay pre-tokenized batches)]
                      [--method slicefine|lora|full|head] [--rank 4] [--modes column|row|row,column] [--move-steps 50]
                      [--position 0] [--max-position 0] [--learning-rate-decay 1.0] [--min-learning-rate 0]
                      [--tolerance 0] [--rank-decay 0.5] [--min-rank 1] [--bias] [--targets q_proj,v_proj|GLOB,...]
                      [--lora-r 8] [--lora-alpha 16] [--lora-dropout 0] [--epochs 3] [--max-steps N] [--batch-size 16]
                      [--max-seq-len 128] [--optimizer adamw|sgd] [--lr 5e-3] [--lr-schedule constant|linear|cosine]
                      [--warmup-steps 0] [--weight-decay 0] [--grad-clip 1.0] [--eval-every N] [--early-stopping N]
                      [--checkpoint-every N] [--checkpoint-minutes M] [--checkpoint-dir DIR] [--seed 42] [--log-every 10]
                      [--limit N] [--text-field text] [--label-field label] [--text-pair-field text_pair]
                      [--prompt-field prompt] [--completion-field completion]   the dataset's field names
                      [--device auto|cpu|cuda:N]       auto: the first CUDA GPU libtorch sees, else the CPU
                                                       prints every training event as a JSON line; writes the result to --out
              merge   --model DIR --diff DIR --out DIR  base + slice diff -> a Hugging Face checkpoint
              export-peft --model DIR --diff DIR --out DIR
                                                       the diff as a PEFT LoRA adapter that encodes it exactly
            """;

    private Main() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        EngineRuntime.configure();
        String cmd = argv[0];
        try {
            return switch (cmd) {
                case "inspect" -> inspect(new Args(cmd, argv, 1, Set.of("model"), Set.of("json")), out, err);
                case "logits" -> logits(new Args(cmd, argv, 1, Set.of("model", "inputs", "out"), Set.of("hidden")), out);
                case "train" -> TrainCommand.run(new Args(cmd, argv, 1, TrainCommand.OPTIONS, TrainCommand.FLAGS), out);
                case "merge" -> merge(new Args(cmd, argv, 1, Set.of("model", "diff", "out"), Set.of()), out);
                case "export-peft" -> exportPeft(new Args(cmd, argv, 1, Set.of("model", "diff", "out"), Set.of()), out);
                default -> {
                    err.println("slicefine: unknown command '" + cmd + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (Args.UsageException e) {
            err.println("slicefine " + e.getMessage());
            return 2;
        } catch (InvalidConfigException e) {
            // one line per bad field, worded as the API's 422 words it: "<json path>: <message> [<code>]"
            e.errors().forEach(x -> err.println("slicefine " + cmd + ": " + x));
            return 2;
        } catch (CheckpointException | ConfigException | IllegalArgumentException | IllegalStateException
                 | dev.slicefine.engine.data.DatasetException e) {
            err.println("slicefine " + cmd + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("slicefine " + cmd + ": failed: " + e);
            return 1;
        }
    }

    private static int inspect(Args args, PrintStream out, PrintStream err) {
        Path dir = args.path("model");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder (expected a Hugging Face checkpoint folder)");
        }
        ModelReport r = ModelInspector.inspect(dir);
        if (args.flag("json")) {
            try {
                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if (r.family() != null && !r.tensors().isEmpty()) {
            out.printf("model:        %s%n", dir);
            out.printf("family:       %s (%s)%n", r.family(), r.architecture().isEmpty() ? "no architectures entry" : r.architecture());
            out.printf("head:         %s%n", r.head());
            out.printf("parameters:   %,d%n", r.parameterCount());
            out.printf("dtypes:       %s%n", String.join(", ", r.dtypes()));
            out.printf("tokenizer:    %s%n", r.tokenizerPresent() ? "tokenizer.json" : "none");
            out.printf("tensors:      %d%n", r.tensorCount());
            for (ModelReport.TensorEntry t : r.tensors()) {
                out.printf("  %-64s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
            }
            for (String w : r.warnings()) {
                out.println("warning: " + w);
            }
        }
        if (r.valid()) {
            if (!args.flag("json")) {
                out.println("verdict:      valid");
            }
            return 0;
        }
        err.println("slicefine inspect: invalid checkpoint: " + r.problems().get(0));
        for (int i = 1; i < r.problems().size(); i++) {
            err.println("  also: " + r.problems().get(i));
        }
        return 1;
    }

    private static int logits(Args args, PrintStream out) throws Exception {
        Path model = args.path("model");
        Path inputs = args.path("inputs");
        Path dest = args.path("out");
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager();
             HfModel m = HfModels.load(model, root);
             SafetensorsFile in = SafetensorsFile.open(inputs);
             NDScope scope = new NDScope()) {
            long t1 = System.nanoTime();
            ModelInputs batch = readInputs(m, in, root);
            ModelOutput o = m.forward(batch, false);
            (o.logits() != null ? o.logits() : o.hiddenLast()).sum().getFloat(); // forces the computation for the timing
            long t2 = System.nanoTime();
            out.printf("load %.0f ms, forward %.0f ms (batch %s)%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, batch.inputIds() != null
                    ? batch.inputIds().getShape() : batch.pixelValues().getShape());
            Map<String, NDArray> result = new LinkedHashMap<>();
            if (o.logits() != null) {
                result.put("logits", o.logits());
            }
            if (o.sentenceEmbedding() != null) {
                result.put("sentence_embedding", o.sentenceEmbedding());
            }
            if (args.flag("hidden")) {
                result.put("hidden_embed", o.hiddenEmbed());
                result.put("hidden_last", o.hiddenLast());
            }
            SafetensorsWriter.write(dest, result, Map.of("producer", "slicefine logits"));
            for (var e : result.entrySet()) {
                out.println(e.getKey() + " " + e.getValue().getShape() + " -> " + dest);
            }
            return 0;
        }
    }

    private static int merge(Args args, PrintStream out) {
        Path dest = args.path("out");
        dev.slicefine.engine.artifact.Merger.merge(args.path("model"), args.path("diff"), dest);
        out.println("merged checkpoint -> " + dest);
        return 0;
    }

    private static int exportPeft(Args args, PrintStream out) {
        Path dest = args.path("out");
        dev.slicefine.engine.artifact.PeftExporter.export(args.path("model"), args.path("diff"), dest);
        out.println("PEFT LoRA adapter -> " + dest);
        return 0;
    }

    static ModelInputs readInputs(HfModel m, SafetensorsFile in, NDManager manager) {
        if (m.config().family().modality() == ModelFamily.Modality.IMAGE) {
            require(in, "pixel_values");
            return ModelInputs.image(in.load("pixel_values", manager));
        }
        require(in, "input_ids");
        NDArray ids = in.load("input_ids", manager).toType(ai.djl.ndarray.types.DataType.INT64, false);
        NDArray mask = in.contains("attention_mask") ? in.load("attention_mask", manager) : null;
        NDArray types = in.contains("token_type_ids") ? in.load("token_type_ids", manager).toType(ai.djl.ndarray.types.DataType.INT64, false) : null;
        return new ModelInputs(ids, mask, types, null);
    }

    private static void require(SafetensorsFile in, String name) {
        if (!in.contains(name)) {
            throw new IllegalArgumentException("inputs file has no '" + name + "' tensor (it holds " + in.names() + ")");
        }
    }
}
