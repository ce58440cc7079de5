package dev.slicefine.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.InvalidConfigException;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one definition of a job's config: JSON paths, defaults, every bad field with a code, the fit with a model. */
class FineTuneConfigTest {
    static final Path BERT = Fixtures.dir("bert-tiny");

    static List<ConfigError> errors(String json) {
        try {
            FineTuneConfig.parse(json, Set.of("webhook_url"));
            return List.of();
        } catch (InvalidConfigException e) {
            return e.errors();
        }
    }

    @Test
    void absentFieldsTakeTheEngineDefaults() {
        FineTuneConfig c = FineTuneConfig.parse("{\"task\": \"text-classification\"}", Set.of());
        assertThat(c.method()).isEqualTo("slicefine");
        assertThat(c.slicefine()).isEqualTo(SliceConfig.defaults());
        assertThat(c.lora()).isEqualTo(LoraConfig.defaults());
        assertThat(c.train()).isEqualTo(TrainConfig.defaults(Task.TEXT_CLASSIFICATION));
        assertThat(c.checkAgainstModel(BERT)).isEmpty();
        assertThat(FineTuneConfig.parse("{\"task\": \"text-classification\", \"method\": \"lora\"}", Set.of()).train().learningRate())
                .as("the method's own default learning rate").isEqualTo(5e-4);
    }

    @Test
    void roundTripsTheSnakeCaseJson() {
        String json = """
                {"task": "text-classification", "method": "lora", "validation_split": 0.1,
                 "slicefine": {"rank": 2, "modes": ["row", "column"], "move_steps": 5, "targets": ["query"]},
                 "lora": {"r": 4, "alpha": 8, "dropout": 0.1, "targets": ["query", "value"]},
                 "train": {"learning_rate": 0.01, "lr_schedule": "cosine", "max_steps": 7, "batch_size": 4,
                           "checkpoint_every": 3, "checkpoint_minutes": 2.5, "early_stopping": 2, "seed": 7},
                 "webhook_url": "http://127.0.0.1:9/hook"}""";
        FineTuneConfig c = FineTuneConfig.parse(json, Set.of("webhook_url"));
        assertThat(FineTuneConfig.read(c.toJson(), Set.of())).isEqualTo(c);
        assertThat(c.toJson().toString()).contains("\"move_steps\":5", "\"learning_rate_decay\":1.0", "\"checkpoint_minutes\":2.5")
                .doesNotContain("webhook_url");
        FineTuneSpec spec = c.withDefaultCheckpointMinutes(10).toSpec(BERT, Path.of("d.jsonl"), null, Path.of("out"), Path.of("ckpt"));
        assertThat(spec.method()).isEqualTo("lora");
        assertThat(spec.validationSplit()).isEqualTo(0.1);
        assertThat(spec.lora()).isEqualTo(new LoraConfig(4, 8, 0.1, List.of("query", "value")));
        assertThat(spec.train().maxSteps()).isEqualTo(7);
        assertThat(spec.train().checkpointMinutes()).as("the job's own interval wins").isEqualTo(2.5);
        assertThat(spec.slice().modes()).hasSize(2);
        FineTuneConfig plain = FineTuneConfig.parse("{\"task\": \"text-classification\"}", Set.of());
        assertThat(plain.toJson().path("train").has("checkpoint_minutes")).isFalse();
        assertThat(plain.withDefaultCheckpointMinutes(10).train().checkpointMinutes()).isEqualTo(10);
    }

    @Test
    void reportsEveryBadFieldWithItsPathAndCode() {
        List<ConfigError> errors = errors("""
                {"task": "summarise", "method": "magic", "validation_split": 1.5, "colour": 1,
                 "slicefine": {"rank": 0, "modes": ["diagonal"], "move_steps": 0, "rnak": 2, "min_rank": 2},
                 "lora": {"dropout": 1.0},
                 "train": {"optimizer": "adam", "learning_rate": 0, "batch_size": 0, "lr_schedule": "steep", "epochs": "three"}}""");
        assertThat(errors).extracting(ConfigError::field).containsExactlyInAnyOrder("colour", "task", "method", "validation_split",
                "slicefine.rnak", "slicefine.rank", "slicefine.modes", "slicefine.move_steps", "lora.dropout",
                "train.lr_schedule", "train.epochs", "train.optimizer", "train.learning_rate", "train.batch_size");
        assertThat(errors).contains(
                new ConfigError("colour", "unknown_field", "unknown field (known: lora, method, slicefine, task, train, validation_split)"),
                new ConfigError("task", "unknown_value", "unknown value 'summarise' (one of text-classification, causal-lm, image-classification)"),
                new ConfigError("validation_split", "out_of_range", "must be in [0, 0.9], got 1.5"),
                new ConfigError("slicefine.rank", "out_of_range", "must be between 1 and 65536, got 0"),
                new ConfigError("train.epochs", "wrong_type", "must be an integer"),
                new ConfigError("train.learning_rate", "out_of_range", "must be in (0, 10], got 0"),
                new ConfigError("train.optimizer", "unknown_value", "unknown value 'adam' (one of adamw, sgd)"));
        assertThat(errors("{\"task\": \"text-classification\", \"slicefine\": {\"rank\": 2, \"min_rank\": 3}}"))
                .containsExactly(new ConfigError("slicefine.min_rank", "out_of_range", "must not exceed slicefine.rank (2), got 3"));
        assertThat(errors("[1]")).extracting(ConfigError::field).containsExactly("");
        assertThat(errors("{}")).containsExactly(new ConfigError("task", "required",
                "is required (one of text-classification, causal-lm, image-classification)"));
    }

    @Test
    void theRecordsThemselvesRefuseBadValuesWithTheSameWords() {
        assertThatThrownBy(() -> new LoraConfig(0, 16, 0, List.of())).isInstanceOf(InvalidConfigException.class)
                .hasMessage("lora.r: must be between 1 and 65536, got 0 [out_of_range]");
    }

    @Test
    void checksTheTaskTargetsAndRankAgainstTheModel() {
        FineTuneConfig big = FineTuneConfig.parse("{\"task\": \"text-classification\", \"slicefine\": {\"rank\": 4096}}", Set.of());
        assertThat(big.checkAgainstModel(BERT)).containsExactly(new ConfigError("slicefine.rank", "rank_too_large",
                "rank 4096 is larger than bert.encoder.layer.0.attention.self.query's column extent 32"));
        assertThat(FineTuneConfig.parse("""
                {"task": "text-classification", "slicefine": {"rank": 40, "modes": ["row"], "targets": ["intermediate.dense"]}}""",
                Set.of()).checkAgainstModel(BERT)).isEmpty();
        assertThat(FineTuneConfig.parse("""
                {"task": "causal-lm", "method": "lora", "lora": {"targets": ["nope"]}}""", Set.of()).checkAgainstModel(BERT))
                .extracting(ConfigError::field, ConfigError::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("task", "task_not_supported"),
                        org.assertj.core.groups.Tuple.tuple("lora.targets", "no_matching_layer"));
        assertThat(FineTuneConfig.parse("{\"task\": \"text-classification\"}", Set.of()).checkAgainstModel(Path.of("no-such-model")))
                .extracting(ConfigError::field).containsExactly("model");
        assertThat(Task.CAUSAL_LM.fits(ModelFamily.LLAMA)).isTrue();
        assertThat(Task.CAUSAL_LM.fitError(ModelFamily.BERT).message()).isEqualTo("task causal-lm does not fit a bert model (it trains text-classification)");
    }

    @Test
    void linearLayersFromTheConfigAreTheModelsLinears() {
        EngineRuntime.configure();
        try (NDManager m = NDManager.newBaseManager()) {
            HfModel model = HfModels.load(BERT, m);
            try {
                List<String> head = model.headTensorNames();
                List<String> real = model.linears().stream().map(LinearSlot::name)
                        .filter(n -> !head.contains(n + ".weight")).toList();
                assertThat(FineTuneConfig.linearLayers(ModelConfigs.read(BERT), BERT).keySet()).containsExactlyElementsOf(real);
            } finally {
                model.close();
            }
        }
    }
}
