package dev.slicefine.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.engine.EngineRuntime;
import dev.slicefine.engine.Fixtures;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image job reports its speed in images per second (it has no tokens), and no tokens_per_second. */
class ImageThroughputTest {
    @TempDir
    Path tmp;

    @Test
    void anImageRunReportsImagesPerSecond() throws IOException {
        EngineRuntime.configure();
        Path images = tmp.resolve("images");
        for (int i = 0; i < 8; i++) {
            Path f = images.resolve((i % 2 == 0 ? "cat" : "dog") + "/" + i + ".png");
            Files.createDirectories(f.getParent());
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            img.setRGB(i % 8, i % 8, i % 2 == 0 ? 0xff0000 : 0x0000ff);
            ImageIO.write(img, "png", f.toFile());
        }
        FineTuneConfig config = FineTuneConfig.parse("""
                {"task": "image-classification", "slicefine": {"rank": 2, "move_steps": 2},
                 "train": {"max_steps": 3, "batch_size": 4, "log_every": 1}}""", Set.of());
        List<TrainEvent.StepMetrics> steps = new ArrayList<>();
        FineTune.run(config.toSpec(Fixtures.dir("vit-tiny"), images, null, tmp.resolve("out"), null), new TrainListener() {
            @Override
            public void onEvent(TrainEvent event) {
                if (event instanceof TrainEvent.StepMetrics m) {
                    steps.add(m);
                }
            }
        });
        assertThat(steps).hasSize(3).allSatisfy(m -> {
            assertThat(m.throughputUnit()).isEqualTo("images/s");
            assertThat(m.throughput()).isPositive();
            assertThat(m.tokensPerSecond()).isNull();
        });
        // 3 steps of 4 images in the elapsed time of the last
        TrainEvent.StepMetrics last = steps.get(2);
        assertThat(last.throughput() * last.elapsedSeconds()).isCloseTo(12.0, org.assertj.core.data.Offset.offset(1e-6));
    }
}
