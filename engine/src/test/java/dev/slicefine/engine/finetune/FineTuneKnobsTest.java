package dev.slicefine.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The knob list people read is the list of fields the config reader accepts, each explained once. */
class FineTuneKnobsTest {
    @Test
    void everyAcceptedFieldHasExactlyOneKnobWithHelp() {
        assertThat(FineTuneKnobs.KNOBS).extracting(FineTuneKnobs.Knob::path)
                .containsExactlyInAnyOrderElementsOf(FineTuneKnobs.acceptedPaths());
        assertThat(FineTuneKnobs.KNOBS).allSatisfy(k -> assertThat(k.help()).isNotBlank().doesNotContain("\n"));
    }

    @Test
    void everyEnumerationOptionIsAValueTheReaderAccepts() {
        for (FineTuneKnobs.Knob k : FineTuneKnobs.KNOBS) {
            for (String option : k.options()) {
                String[] p = k.path().split("\\.");
                FineTuneConfig.parse("{\"task\":\"text-classification\",\"" + p[0] + "\":{\"" + p[1] + "\":\"" + option + "\"}}", Set.of());
            }
        }
    }
}
