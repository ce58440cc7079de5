package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders and zips of label/image files, and pixel values as a Hugging Face image processor makes them. */
class ImageDatasetTest {
    @TempDir
    Path dir;

    /** (0,0) red, (1,0) green, (0,1) blue, (1,1) = (51, 102, 204). */
    static BufferedImage twoByTwo() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0000);
        img.setRGB(1, 0, 0x00ff00);
        img.setRGB(0, 1, 0x0000ff);
        img.setRGB(1, 1, (51 << 16) | (102 << 8) | 204);
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private Path folder() throws IOException {
        Path root = dir.resolve("images");
        for (String f : new String[] {"cat/1.png", "cat/2.PNG", "dog/1.png"}) {
            Files.createDirectories(root.resolve(f).getParent());
            Files.write(root.resolve(f), png(twoByTwo()));
        }
        Files.writeString(root.resolve("cat/.DS_Store"), "junk");
        return root;
    }

    private Path zip(String... names) throws IOException {
        Path z = dir.resolve("images.zip");
        try (OutputStream fo = Files.newOutputStream(z); ZipOutputStream zo = new ZipOutputStream(fo)) {
            for (String n : names) {
                zo.putNextEntry(new ZipEntry(n));
                zo.write(png(twoByTwo()));
                zo.closeEntry();
            }
        }
        return z;
    }

    @Test
    void readsAFolderOfLabelSubfolders() throws IOException {
        Dataset d = DatasetReader.read(folder(), DatasetOptions.imageClassification(ImageSpec.vitDefaults(2)));

        assertThat(d.labels()).containsExactly("cat", "dog");
        assertThat(d.examples()).extracting(e -> ((Example.Image) e).source()).containsExactly("cat/1.png", "cat/2.PNG", "dog/1.png");
        assertThat(d.examples()).extracting(Example::label).containsExactly(0, 0, 1);
        assertThat(d.report().labels()).isEqualTo(Map.of("cat", 2L, "dog", 1L));
        assertThat(d.report().totalLines()).isEqualTo(3);
    }

    @Test
    void readsAZipOfLabelFolders() throws IOException {
        Dataset d = DatasetReader.read(zip("dog/a.png", "cat/b.png", "__MACOSX/cat/._b.png"),
                DatasetOptions.imageClassification(ImageSpec.vitDefaults(2)));

        assertThat(d.labels()).containsExactly("cat", "dog");
        assertThat(d.examples()).extracting(e -> ((Example.Image) e).source()).containsExactly("cat/b.png", "dog/a.png");
    }

    @Test
    void refusesZipEntriesThatLeaveTheArchive() throws IOException {
        Path z = zip("cat/ok.png", "../evil.png", "/abs/evil.png", "cat/../../evil.png");
        ValidationReport r = DatasetReader.validate(z, DatasetOptions.imageClassification(null));

        assertThat(r.issues()).extracting(Issue::field).containsExactly("../evil.png", "/abs/evil.png", "cat/../../evil.png");
        assertThat(r.issues()).extracting(Issue::message).allMatch(m -> m.contains("refused"));
        assertThatThrownBy(() -> DatasetReader.read(z, DatasetOptions.imageClassification(ImageSpec.vitDefaults(2))))
                .isInstanceOf(DatasetException.class).hasMessageContaining("../evil.png");
    }

    @Test
    void rescalesAndNormalisesWithTheVitDefaults() {
        float[] px = ImagePreprocessor.pixels(twoByTwo(), ImageSpec.vitDefaults(2));

        // (v / 255 - 0.5) / 0.5, CHW: R plane, G plane, B plane, each row-major
        assertThat(px).containsExactly(new float[] {
                1f, -1f, -1f, -0.6f,
                -1f, 1f, -1f, -0.2f,
                -1f, -1f, 1f, 0.6f}, within(1e-6f));
    }

    @Test
    void normalisesWithImageNetMeanAndStd() {
        ImageSpec spec = new ImageSpec(2, 2, true, true, 1.0 / 255, true,
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        float[] px = ImagePreprocessor.pixels(twoByTwo(), spec);

        assertThat(px[3]).isCloseTo((0.2f - 0.485f) / 0.229f, within(1e-5f));
        assertThat(px[4 + 3]).isCloseTo((0.4f - 0.456f) / 0.224f, within(1e-5f));
        assertThat(px[8 + 3]).isCloseTo((0.8f - 0.406f) / 0.225f, within(1e-5f));
    }

    @Test
    void upsamplesBilinearlyWithHalfPixelCentres() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0 << 16);
        img.setRGB(1, 0, 100 << 16);
        img.setRGB(0, 1, 200 << 16);
        img.setRGB(1, 1, 40 << 16);
        ImageSpec raw = new ImageSpec(4, 4, true, false, 1, false, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        float[] px = ImagePreprocessor.pixels(img, raw);

        float[] red = java.util.Arrays.copyOf(px, 16);
        assertThat(red).containsExactly(
                0, 25, 75, 100,
                50, 59, 76, 85,
                150, 126, 79, 55,
                200, 160, 80, 40);
    }

    @Test
    void downsamplingAveragesEveryPixel() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 0, 100 << 16);
        img.setRGB(0, 1, 200 << 16);
        img.setRGB(1, 1, 40 << 16);
        ImageSpec raw = new ImageSpec(1, 1, true, false, 1, false, new float[] {0, 0, 0}, new float[] {1, 1, 1});

        assertThat(ImagePreprocessor.pixels(img, raw)).containsExactly(85, 0, 0);
    }

    @Test
    void greyImagesKeepTheirValueInEveryChannel() {
        BufferedImage grey = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        ImageSpec raw = new ImageSpec(1, 1, true, false, 1, false, new float[] {0, 0, 0}, new float[] {1, 1, 1});

        assertThat(ImagePreprocessor.pixels(grey, raw)).containsExactly(128, 128, 128);
    }

    @Test
    void readsThePreprocessorConfigOfTheModel() throws IOException {
        Files.writeString(dir.resolve(ImageSpec.PREPROCESSOR_CONFIG), """
                {"do_resize": true, "size": {"height": 32, "width": 48}, "do_rescale": true,
                 "rescale_factor": 0.00392156862745098, "do_normalize": true,
                 "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}""");
        ImageSpec s = ImageSpec.forModel(dir, 224);

        assertThat(s.height()).isEqualTo(32);
        assertThat(s.width()).isEqualTo(48);
        assertThat(s.mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(s.std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(ImageSpec.forModel(dir.resolve("elsewhere"), 224).height()).isEqualTo(224);
    }

    @Test
    void resizesEveryImageToTheModelSize() throws IOException {
        Dataset d = DatasetReader.read(folder(), DatasetOptions.imageClassification(ImageSpec.vitDefaults(8)));
        Example.Image e = (Example.Image) d.examples().get(0);

        assertThat(e.pixels()).hasSize(3 * 8 * 8);
        assertThat(e.height()).isEqualTo(8);
    }

    @Test
    void strayFilesAndUndecodableImagesAreIssues() throws IOException {
        Path root = folder();
        Files.writeString(root.resolve("cat/notes.txt"), "hello");
        Files.writeString(root.resolve("dog/broken.png"), "not a png");
        Files.write(root.resolve("top.png"), png(twoByTwo()));
        ValidationReport r = DatasetReader.validate(root, DatasetOptions.imageClassification(null));

        assertThat(r.issues()).extracting(Issue::toString).containsExactly(
                "cat/notes.txt: not a .png, .jpg or .jpeg image",
                "dog/broken.png: cannot decode the image: no decoder recognises its content",
                "top.png: the image is not inside a label folder (label/image.png)");
        assertThat(r.validExamples()).isEqualTo(3);
    }

    @Test
    void imagesOfTheWrongSizeAreIssuesWhenResizingIsOff() throws IOException {
        ImageSpec noResize = new ImageSpec(4, 4, false, true, 1.0 / 255, true, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
        ValidationReport r = DatasetReader.validate(folder(), DatasetOptions.imageClassification(noResize));

        assertThat(r.issueCount()).isEqualTo(3);
        assertThat(r.issues().get(0).message()).isEqualTo("image is 2x2 but the model takes 4x4 and do_resize is off");
    }

    @Test
    void aTextFileIsNotAnImageDataset() {
        Path f = DataFiles.write(dir, "a.jsonl", "{}");
        assertThat(DatasetReader.validate(f, DatasetOptions.imageClassification(null)).issues().get(0).message())
                .contains("a folder or a .zip");
    }
}
