package dev.slicefine.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceMode;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device setting: its spelling, what it resolves to on this machine, and that an explicit cpu changes nothing. */
class ComputeDeviceTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineRuntime.configure();
    }

    @Test
    void parsesAutoCpuAndCudaIndexInAnyCase() {
        assertThat(ComputeDevice.parse("auto")).isEqualTo(ComputeDevice.AUTO);
        assertThat(ComputeDevice.parse(" CPU ")).isEqualTo(ComputeDevice.CPU);
        assertThat(ComputeDevice.parse("cuda:3")).isEqualTo(ComputeDevice.cuda(3));
        assertThat(ComputeDevice.parse("cuda")).isEqualTo(ComputeDevice.cuda(0));
        assertThat(ComputeDevice.valueOf("cuda:12").toString()).isEqualTo("cuda:12");
        assertThat(ComputeDevice.AUTO).hasToString("auto");
        assertThat(ComputeDevice.CPU).hasToString("cpu");
    }

    @Test
    void refusesAnythingElseNamingTheChoices() {
        for (String bad : new String[] {"", "gpu", "gpu(0)", "cuda:", "cuda:-1", "cuda:x", "cuda:0:1", "cpu()", "tpu", "cuda:123456789"}) {
            assertThatThrownBy(() -> ComputeDevice.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("device '" + bad + "' is not one of auto, cpu, cuda:N (N = 0, 1, ...)");
        }
        assertThatThrownBy(() -> ComputeDevice.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvesOnThisMachineAutoToCpuWithoutAGpuAndRefusesAMissingGpu() {
        Assumptions.assumeFalse(Engine.getInstance().hasCapability(StandardCapabilities.CUDA) && Engine.getInstance().getGpuCount() > 0,
                "this machine's libtorch sees a GPU");
        assertThat(ComputeDevice.AUTO.resolve()).isEqualTo(ComputeDevice.CPU);
        assertThat(ComputeDevice.CPU.resolve()).isEqualTo(ComputeDevice.CPU);
        assertThatThrownBy(() -> ComputeDevice.cuda(0).resolve()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("device cuda:0 is not available: this process's libtorch")
                .hasMessageContaining("sees no CUDA GPU").hasMessageEndingWith("; use auto or cpu");
        try (NDManager m = ComputeDevice.AUTO.newManager()) {
            assertThat(ComputeDevice.of(m.getDevice())).isEqualTo(ComputeDevice.CPU);
            assertThat(m.getDevice().isGpu()).isFalse();
        }
        assertThatThrownBy(ComputeDevice.AUTO::djl).isInstanceOf(IllegalStateException.class);
    }

    /** Training on an explicit cpu is the run training on DJL's default device was: same losses, same bytes. */
    @Test
    void trainingOnExplicitCpuIsBitIdenticalToTheDefaultDevice() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.copy(Fixtures.dir("bert-tiny/config.json"), model.resolve("config.json"));
        Files.copy(Fixtures.dir("bert-tiny/model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(Fixtures.dir("tokenizers/wordpiece.json"), model.resolve("tokenizer.json"));
        List<String> lines = new ArrayList<>();
        String[] words = {"slice", "moves", "weights", "frozen", "model", "learns", "quick", "fox"};
        for (int i = 0; i < 24; i++) {
            lines.add("{\"text\": \"" + words[i % 8] + " " + words[(i * 3) % 8] + " " + words[(i * 5 + 1) % 8]
                    + "\", \"label\": \"" + (char) ('a' + i % 3) + "\"}");
        }
        Path data = Files.write(tmp.resolve("train.jsonl"), lines);
        SliceConfig sc = new SliceConfig(2, List.of(SliceMode.ROW, SliceMode.COLUMN), 3, 0, 0, 0.9, 1e-4, 0, 0.5, 1, false, List.of());
        TrainConfig tc = new TrainConfig(Task.TEXT_CLASSIFICATION, "adamw", 2e-2, 0.01, 0.9, 0.999, 1e-8, LrSchedule.Kind.COSINE, 2, 2, 0,
                4, 32, 1.0, 0, 0, 4, 1, 11);
        List<String> devices = new ArrayList<>();
        TrainListener listener = new TrainListener() {
            @Override
            public void onEvent(TrainEvent e) {
                if (e instanceof TrainEvent.Started s) {
                    devices.add(s.device());
                }
            }
        };
        FineTune.Outcome before = FineTune.run(new FineTuneSpec(model, data, null, 0, null, "slicefine", sc, LoraConfig.defaults(),
                tc, tmp.resolve("default"), null, 0), listener);
        FineTune.Outcome cpu = FineTune.run(new FineTuneSpec(model, data, null, 0, null, "slicefine", sc, LoraConfig.defaults(),
                tc, tmp.resolve("cpu"), null, 0), listener, ComputeDevice.parse("cpu"));
        assertThat(cpu.result().losses()).isEqualTo(before.result().losses());
        assertThat(Files.readAllBytes(cpu.artifact().resolve("diff.safetensors")))
                .isEqualTo(Files.readAllBytes(before.artifact().resolve("diff.safetensors")));
        assertThat(devices).containsExactly("cpu", "cpu");
    }
}
