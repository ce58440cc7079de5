package dev.slicefine.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobConfigTest {
    static final Path BERT = Path.of("src/test/resources/fixtures/bert-tiny");

    @Test
    void absentFieldsTakeTheEngineDefaults() {
        JobConfig c = JobConfig.parse("{\"task\": \"text-classification\"}");
        assertThat(c.method()).isEqualTo("slicefine");
        assertThat(c.sliceConfig()).isEqualTo(SliceConfig.defaults());
        assertThat(c.loraConfig()).isEqualTo(LoraConfig.defaults());
        assertThat(c.trainConfig()).isEqualTo(TrainConfig.defaults(Task.TEXT_CLASSIFICATION));
        assertThat(c.validate(BERT)).isEmpty();
    }

    @Test
    void roundTripsTheAgreedSnakeCaseJson() {
        String json = """
                {"task": "text-classification", "method": "lora", "validation_split": 0.1,
                 "slicefine": {"rank": 2, "modes": ["row", "column"], "move_steps": 5, "targets": ["query"]},
                 "lora": {"r": 4, "alpha": 8, "dropout": 0.1, "targets": ["query", "value"]},
                 "train": {"learning_rate": 0.01, "lr_schedule": "cosine", "max_steps": 7, "batch_size": 4,
                           "checkpoint_every": 3, "early_stopping": 2, "seed": 7},
                 "webhook_url": "http://127.0.0.1:9/hook"}""";
        JobConfig c = JobConfig.parse(json);
        assertThat(JobConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(c.toJson()).contains("\"move_steps\":5", "\"learning_rate_decay\":1.0", "\"webhook_url\"");
        FineTuneSpec spec = c.toSpec(BERT, Path.of("d.jsonl"), null, Path.of("out"), Path.of("ckpt"));
        assertThat(spec.method()).isEqualTo("lora");
        assertThat(spec.validationSplit()).isEqualTo(0.1);
        assertThat(spec.lora()).isEqualTo(new LoraConfig(4, 8, 0.1, List.of("query", "value")));
        assertThat(spec.train().maxSteps()).isEqualTo(7);
        assertThat(spec.train().earlyStoppingPatience()).isEqualTo(2);
        assertThat(spec.train().checkpointEvery()).isEqualTo(3);
        assertThat(spec.slice().modes()).hasSize(2);
        assertThat(c.toSpec(BERT, Path.of("d.jsonl"), Path.of("v.jsonl"), Path.of("o"), null).validationSplit()).isZero();
    }

    @Test
    void unknownFieldsAndWrongTypesNameTheField() {
        assertThatThrownBy(() -> JobConfig.parse("{\"task\": \"text-classification\", \"slicefine\": {\"rnak\": 2}}"))
                .isInstanceOf(JobConfigException.class).hasMessageStartingWith("slicefine.rnak");
        assertThatThrownBy(() -> JobConfig.parse("{\"train\": {\"epochs\": \"many\"}}"))
                .isInstanceOf(JobConfigException.class).hasMessageStartingWith("train.epochs");
    }

    @Test
    void reportsOneClearErrorPerBadField() {
        JobConfig c = JobConfig.parse("""
                {"task": "causal-lm", "method": "slicefine", "validation_split": 1.5,
                 "slicefine": {"rank": 4096, "modes": ["diagonal"], "move_steps": 0, "targets": ["qproj"]},
                 "train": {"optimizer": "adam", "learning_rate": 0, "batch_size": 0, "lr_schedule": "steep"},
                 "webhook_url": "ftp://x"}""");
        List<FieldError> errors = c.validate(BERT);
        assertThat(errors).extracting(FieldError::field).doesNotHaveDuplicates().contains("validation_split",
                "slicefine.modes", "slicefine.move_steps", "train.optimizer", "train.learning_rate", "train.batch_size",
                "train.lr_schedule", "webhook_url", "task", "slicefine.targets");
        assertThat(errors).contains(new FieldError("task", "task causal-lm does not fit a bert model (text-classification does)"));
        assertThat(errors).filteredOn(e -> e.field().equals("slicefine.targets")).singleElement()
                .extracting(FieldError::message).asString().startsWith("target pattern 'qproj' matches no Linear layer");
        assertThat(errors).filteredOn(e -> e.field().equals("slicefine.modes")).singleElement()
                .extracting(FieldError::message).asString().contains("unknown slice mode 'diagonal'");
    }

    @Test
    void rankIsCheckedAgainstTheLayerShapesFromConfigJson() {
        JobConfig c = JobConfig.parse("{\"task\": \"text-classification\", \"slicefine\": {\"rank\": 4096}}");
        assertThat(c.validate(BERT)).containsExactly(new FieldError("slicefine.rank",
                "rank 4096 is larger than bert.encoder.layer.0.attention.self.query's column extent 32"));
        JobConfig rows = JobConfig.parse("""
                {"task": "text-classification", "slicefine": {"rank": 40, "modes": ["row"], "targets": ["intermediate.dense"]}}""");
        assertThat(rows.validate(BERT)).isEmpty();
        assertThat(JobConfig.parse("""
                {"task": "text-classification", "method": "lora", "lora": {"targets": ["nope"]}}""").validate(BERT))
                .extracting(FieldError::field).containsExactly("lora.targets");
        assertThat(JobConfig.parse("{\"task\": \"text-classification\"}").validate(Path.of("no-such-model")))
                .extracting(FieldError::field).containsExactly("model");
    }

    @Test
    void linearLayersFromTheConfigAreTheModelsLinears() {
        try (NDManager m = NDManager.newBaseManager()) {
            HfModel model = HfModels.load(BERT, m);
            try {
                List<String> head = model.headTensorNames();
                List<String> real = model.linears().stream().map(LinearSlot::name)
                        .filter(n -> !head.contains(n + ".weight")).toList();
                assertThat(JobConfig.linearLayers(ModelConfigs.read(BERT), BERT).keySet()).containsExactlyElementsOf(real);
            } finally {
                model.close();
            }
        }
    }
}
