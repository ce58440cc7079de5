package dev.slicefine.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real checkpoint saved by transformers (bert-tiny fixture); expected values were read with Python safetensors. */
class BertTinyFixtureTest {

    static Path bertTinyDir() throws Exception {
        return Path.of(BertTinyFixtureTest.class.getResource("/fixtures/bert-tiny/model.safetensors").toURI())
                .getParent();
    }

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

    private static double sum(NDArray array) {
        double sum = 0;
        for (float v : array.toFloatArray()) {
            sum += v;
        }
        return sum;
    }

    @Test
    void readsEveryBertTinyTensorWithItsShape() throws Exception {
        try (TensorSource source = Checkpoints.openTensors(bertTinyDir())) {
            assertThat(source).isInstanceOf(SafetensorsFile.class);
            assertThat(((SafetensorsFile) source).metadata()).containsEntry("format", "pt");
            assertThat(source.names()).hasSize(41).isSorted()
                    .contains("bert.embeddings.word_embeddings.weight", "classifier.weight", "classifier.bias");
            assertThat(source.info("bert.embeddings.word_embeddings.weight"))
                    .isEqualTo(new TensorInfo("bert.embeddings.word_embeddings.weight", DType.F32,
                            new long[] {276, 32}, 8704, 44032));
            for (String name : source.names()) {
                NDArray array = source.load(name, manager);
                assertThat(array.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(array.getShape()).isEqualTo(new Shape(source.info(name).shape()));
            }
        }
    }

    @Test
    void valuesMatchWhatPythonSafetensorsReads() throws Exception {
        try (TensorSource source = Checkpoints.openTensors(bertTinyDir())) {
            NDArray positions = source.load("bert.embeddings.position_embeddings.weight", manager);
            assertThat(positions.getShape()).isEqualTo(new Shape(64, 32));
            assertThat(positions.getFloat(0, 0)).isEqualTo(-0.16360348463058472f);
            assertThat(sum(positions)).isCloseTo(2.1074188504207996, within(1e-9));

            NDArray classifier = source.load("classifier.weight", manager);
            assertThat(classifier.getShape()).isEqualTo(new Shape(3, 32));
            assertThat(classifier.getFloat(0, 0)).isEqualTo(0.12936432659626007f);
            assertThat(sum(classifier)).isCloseTo(1.2775887493335176, within(1e-9));

            assertThat(sum(source.load("bert.encoder.layer.1.attention.self.key.weight", manager)))
                    .isCloseTo(5.024643491575262, within(1e-9));
            assertThat(sum(source.load("bert.embeddings.LayerNorm.weight", manager))).isEqualTo(32.0);
        }
    }

    @Test
    void loadedValuesAreTheStoredBytes() throws Exception {
        try (TensorSource source = Checkpoints.openTensors(bertTinyDir())) {
            for (String name : source.names()) {
                ByteBuffer raw = source.raw(name);
                float[] stored = new float[raw.remaining() / 4];
                raw.asFloatBuffer().get(stored);
                assertThat(source.load(name, manager).toFloatArray()).as(name).containsExactly(stored);
            }
        }
    }

    @Test
    void copiesTheCheckpointByteForByteThroughRawViews() throws Exception {
        Path copy = dir.resolve("model.safetensors");
        try (SafetensorsFile source = SafetensorsFile.open(bertTinyDir().resolve("model.safetensors"))) {
            // transformers writes tensors in name order, so a name-ordered copy has the same layout
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (String name : source.names()) {
                TensorInfo info = source.info(name);
                specs.add(new SafetensorsWriter.Spec(name, info.dtype(), info.shape()));
            }
            SafetensorsWriter.write(copy, specs, source.metadata(), (name, out) -> out.write(source.raw(name)));

            try (SafetensorsFile read = SafetensorsFile.open(copy)) {
                assertThat(read.names()).isEqualTo(source.names());
                assertThat(read.metadata()).isEqualTo(source.metadata());
                for (String name : source.names()) {
                    assertThat(read.info(name)).isEqualTo(source.info(name));
                    assertThat(read.raw(name)).as(name).isEqualTo(source.raw(name));
                }
            }
        }
    }

    @Test
    void rawViewsAreLittleEndian() throws Exception {
        try (TensorSource source = Checkpoints.openTensors(bertTinyDir())) {
            ByteBuffer raw = source.raw("classifier.weight");
            assertThat(raw.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(raw.getFloat(0)).isEqualTo(0.12936432659626007f);
        }
    }
}
