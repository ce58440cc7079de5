package dev.slicefine.api.artifacts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobDownloadTest {

    @Test
    void parsesTheThreeSingleRangeForms() {
        assertThat(BlobDownload.parse("bytes=0-9", 100)).isEqualTo(new BlobDownload.Range(0, 9));
        assertThat(BlobDownload.parse("bytes=90-", 100)).isEqualTo(new BlobDownload.Range(90, 99));
        assertThat(BlobDownload.parse("bytes=-10", 100)).isEqualTo(new BlobDownload.Range(90, 99));
        assertThat(BlobDownload.parse("bytes=-1000", 100)).as("suffix longer than the file: all of it")
                .isEqualTo(new BlobDownload.Range(0, 99));
        assertThat(BlobDownload.parse("bytes=50-1000", 100)).as("end clamped").isEqualTo(new BlobDownload.Range(50, 99));
    }

    @Test
    void noHeaderOrSeveralRangesMeanTheWholeFile() {
        assertThat(BlobDownload.parse(null, 100)).isNull();
        assertThat(BlobDownload.parse("bytes=0-1,5-6", 100)).isNull();
    }

    @Test
    void unsatisfiableRangesAreRefused() {
        for (String bad : new String[] {"bytes=100-", "bytes=5-2", "bytes=-0", "bytes=-", "items=0-1", "bytes=x-y"}) {
            assertThatThrownBy(() -> BlobDownload.parse(bad, 100)).as(bad).isInstanceOf(BlobDownload.Unsatisfiable.class);
        }
        assertThatThrownBy(() -> BlobDownload.parse("bytes=0-0", 0)).isInstanceOf(BlobDownload.Unsatisfiable.class);
    }
}
