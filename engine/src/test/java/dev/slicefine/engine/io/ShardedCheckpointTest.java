package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints and model folders, as Hugging Face lays them out. */
class ShardedCheckpointTest {

    static final String SHARD_1 = "model-00001-of-00002.safetensors";
    static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private void shard(String file, Map<String, float[]> tensors) throws Exception {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        tensors.forEach((name, values) -> arrays.put(name, manager.create(values)));
        SafetensorsWriter.write(dir.resolve(file), arrays, Map.of("format", "pt"));
    }

    private Path index(String weightMapJson) throws Exception {
        return Files.writeString(dir.resolve(Checkpoints.INDEX),
                "{\"metadata\": {\"total_size\": 20}, \"weight_map\": {" + weightMapJson + "}}");
    }

    private Path twoShards() throws Exception {
        shard(SHARD_1, Map.of("embed.weight", new float[] {1, 2}, "layer.0.weight", new float[] {3}));
        shard(SHARD_2, Map.of("layer.1.weight", new float[] {4}, "head.weight", new float[] {5}));
        return index("\"embed.weight\": \"" + SHARD_1 + "\", \"layer.0.weight\": \"" + SHARD_1 + "\","
                + "\"layer.1.weight\": \"" + SHARD_2 + "\", \"head.weight\": \"" + SHARD_2 + "\"");
    }

    @Test
    void readsEveryTensorOfATwoShardCheckpoint() throws Exception {
        Path index = twoShards();

        try (ShardedSafetensors sharded = ShardedSafetensors.open(index)) {
            assertThat(sharded.names()).containsExactly("embed.weight", "head.weight", "layer.0.weight",
                    "layer.1.weight");
            assertThat(sharded.load("embed.weight", manager).toFloatArray()).containsExactly(1f, 2f);
            assertThat(sharded.load("layer.0.weight", manager).toFloatArray()).containsExactly(3f);
            assertThat(sharded.load("layer.1.weight", manager).toFloatArray()).containsExactly(4f);
            assertThat(sharded.load("head.weight", manager).toFloatArray()).containsExactly(5f);
            assertThat(sharded.fileOf("head.weight").getFileName().toString()).isEqualTo(SHARD_2);
            assertThat(sharded.info("embed.weight").shape()).containsExactly(2);
            assertThat(sharded.raw("layer.0.weight").getFloat(0)).isEqualTo(3f);
            assertThat(sharded.contains("head.weight")).isTrue();
            assertThat(sharded.shardFiles()).extracting(p -> p.getFileName().toString())
                    .containsExactly(SHARD_1, SHARD_2);
            assertThatThrownBy(() -> sharded.info("missing.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'missing.weight'");
        }
    }

    @Test
    void modelFolderWithAnIndexOpensAsSharded() throws Exception {
        twoShards();

        try (TensorSource source = Checkpoints.openTensors(dir)) {
            assertThat(source).isInstanceOf(ShardedSafetensors.class);
            assertThat(source.names()).hasSize(4);
        }
    }

    @Test
    void reportsAMissingShardByName() throws Exception {
        Path index = twoShards();
        Files.delete(dir.resolve(SHARD_2));

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(Checkpoints.INDEX)
                .hasMessageContaining("missing shard " + SHARD_2);
    }

    @Test
    void reportsATensorMissingFromTheShardTheIndexNames() throws Exception {
        twoShards();
        Path index = index("\"embed.weight\": \"" + SHARD_1 + "\", \"head.weight\": \"" + SHARD_1 + "\"");

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor 'head.weight' to shard " + SHARD_1 + ", which does not contain it");
    }

    @Test
    void reportsATensorPresentInTwoShards() throws Exception {
        shard(SHARD_1, Map.of("a", new float[] {1}, "shared", new float[] {2}));
        shard(SHARD_2, Map.of("b", new float[] {3}, "shared", new float[] {4}));
        Path index = index("\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_2 + "\", \"shared\": \"" + SHARD_1 + "\"");

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor 'shared' in two shards, " + SHARD_1 + " and " + SHARD_2);
    }

    @Test
    void refusesShardPathsOutsideTheIndexFolder() throws Exception {
        Path index = index("\"a\": \"../elsewhere.safetensors\"");

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'../elsewhere.safetensors', which is not a file name in the index's folder");
    }

    @Test
    void reportsAnIndexWithoutWeightMap() throws Exception {
        Path index = Files.writeString(dir.resolve(Checkpoints.INDEX), "{\"metadata\": {}}");

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(Checkpoints.INDEX)
                .hasMessageContaining("no \"weight_map\"");
    }

    @Test
    void reportsAnIndexThatIsNotJson() throws Exception {
        Path index = Files.writeString(dir.resolve(Checkpoints.INDEX), "{\"weight_map\": ");

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is not valid JSON");
    }

    @Test
    void reportsAShardThatIsItselfBroken() throws Exception {
        Path index = twoShards();
        CraftedFiles.bytes(dir.resolve(SHARD_2), new byte[] {1, 2});

        assertThatThrownBy(() -> ShardedSafetensors.open(index))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(SHARD_2)
                .hasMessageContaining("shorter than the 8-byte header length");
    }

    @Test
    void modelFolderWithModelSafetensorsOpensThatFile() throws Exception {
        SafetensorsWriter.write(dir.resolve(Checkpoints.SINGLE), Map.of("w", manager.create(new float[] {9f})), null);

        try (TensorSource source = Checkpoints.openTensors(dir)) {
            assertThat(source).isInstanceOf(SafetensorsFile.class);
            assertThat(source.load("w", manager).toFloatArray()).containsExactly(9f);
        }
    }

    @Test
    void safetensorsWinOverPickleInTheSameFolder() throws Exception {
        SafetensorsWriter.write(dir.resolve(Checkpoints.SINGLE), Map.of("w", manager.create(new float[] {9f})), null);
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});

        try (TensorSource source = Checkpoints.openTensors(dir)) {
            assertThat(source.names()).containsExactly("w");
        }
    }

    @Test
    void refusesPickleCheckpointsAndSaysHowToConvert() throws Exception {
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Files.writeString(dir.resolve("config.json"), "{}");

        assertThatThrownBy(() -> Checkpoints.openTensors(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("[pytorch_model.bin]")
                .hasMessageContaining("pickle can run arbitrary code")
                .hasMessageContaining("SliceFine only reads safetensors")
                .hasMessageContaining("save_pretrained('OUT', safe_serialization=True)");
    }

    @Test
    void recognisesEveryUsualPickleFileName() throws Exception {
        for (String name : new String[] {"weights.pt", "model.pth", "state.pkl", "last.ckpt",
            "pytorch_model-00001-of-00002.bin", "pytorch_model.bin.index.json"}) {
            assertThat(Checkpoints.isPickle(name)).as(name).isTrue();
        }
        assertThat(Checkpoints.isPickle("model.safetensors")).isFalse();
        assertThat(Checkpoints.isPickle("tokenizer.json")).isFalse();
    }

    @Test
    void emptyFolderHasNoSafetensors() {
        assertThatThrownBy(() -> Checkpoints.openTensors(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("has no model.safetensors or model.safetensors.index.json");
    }

    @Test
    void folderWithOtherSafetensorsSaysWhatItFound() throws Exception {
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"),
                Map.of("w", manager.create(new float[] {1f})), null);

        assertThatThrownBy(() -> Checkpoints.openTensors(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("[adapter_model.safetensors]");
    }

    @Test
    void missingFolderIsReported() {
        Path absent = dir.resolve("no-such-model");

        assertThatThrownBy(() -> Checkpoints.openTensors(absent))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no-such-model")
                .hasMessageContaining("does not exist");
    }
}
