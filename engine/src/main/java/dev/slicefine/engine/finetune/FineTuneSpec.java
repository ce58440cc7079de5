package dev.slicefine.engine.finetune;

import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.train.TrainConfig;
import java.nio.file.Path;

/**
 * One fine-tuning run: the base checkpoint, the data (a dataset file with an optional validation file or split ratio,
 * or a pre-tokenized batches file to replay), the method and its knobs, where the artifact and checkpoints go.
 * method: slicefine | lora | full | head.
 */
public record FineTuneSpec(
        Path model,
        Path dataset,
        Path validation,
        double validationSplit,
        Path batches,
        String method,
        SliceConfig slice,
        LoraConfig lora,
        TrainConfig train,
        Path out,
        Path checkpointDir,
        int limit) {

    public FineTuneSpec {
        if ((dataset == null) == (batches == null)) {
            throw new IllegalArgumentException("give either a dataset or a batches file to replay");
        }
        ConfigErrors e = new ConfigErrors();
        FineTuneConfig.checkRun(method, validationSplit, e);
        e.throwIfAny();
    }
}
