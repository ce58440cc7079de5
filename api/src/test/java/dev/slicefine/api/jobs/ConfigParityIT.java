package dev.slicefine.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.engine.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The CLI ({@code ./slicefine train}, in-process) and the API (POST /v1/jobs) answer the same mistake with the same
 * words: a table of bad configs, each spelled as options and as JSON, gives the same (field, code, message) list at
 * both doors, because both read it with the engine's one set of rules.
 */
class ConfigParityIT extends ApiTestBase {
    /** {@code slicefine train: <field>: <message> [<code>]}, one line per bad field. */
    private static final Pattern CLI_ERROR = Pattern.compile("slicefine train: (\\S*): (.*) \\[([a-z_]+)]");
    private static final List<String[]> TABLE = List.of(
            new String[] {"--rank 0", "\"slicefine\":{\"rank\":0}"},
            new String[] {"--rank 2.5", "\"slicefine\":{\"rank\":2.5}"},
            new String[] {"--lr -1 --batch-size 0", "\"train\":{\"learning_rate\":-1,\"batch_size\":0}"},
            new String[] {"--epochs three", "\"train\":{\"epochs\":\"three\"}"},
            new String[] {"--modes diagonal", "\"slicefine\":{\"modes\":[\"diagonal\"]}"},
            new String[] {"--optimizer adam --lr-schedule steep", "\"train\":{\"optimizer\":\"adam\",\"lr_schedule\":\"steep\"}"},
            new String[] {"--validation-split 1.5", "\"validation_split\":1.5"},
            new String[] {"--method lora --lora-dropout 1", "\"method\":\"lora\",\"lora\":{\"dropout\":1}"},
            new String[] {"--rank 4 --min-rank 8", "\"slicefine\":{\"rank\":4,\"min_rank\":8}"},
            new String[] {"--max-seq-len 1 --warmup-steps -3 --checkpoint-minutes -1",
                    "\"train\":{\"max_seq_len\":1,\"warmup_steps\":-3,\"checkpoint_minutes\":-1}"},
            new String[] {"--method magic", "\"method\":\"magic\""},
            new String[] {"--rank 33 --targets query", "\"slicefine\":{\"rank\":33,\"targets\":[\"query\"]}"},
            new String[] {"--targets q_proj", "\"slicefine\":{\"targets\":[\"q_proj\"]}"},
            new String[] {"--method lora --targets nothing_like_this", "\"method\":\"lora\",\"lora\":{\"targets\":[\"nothing_like_this\"]}"},
            new String[] {"--task causal-lm", "\"task\":\"causal-lm\""},
            new String[] {"--task summarise", "\"task\":\"summarise\""});

    private static TenantKey tenant;
    private static String model;
    private static String dataset;

    @TempDir
    Path tmp;

    @BeforeEach
    void fixtures() {
        if (tenant == null) {
            tenant = newTenant();
            model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
            dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(60), Map.of());
        }
    }

    @Test
    void theCliAndTheApiAnswerTheSameMistakeWithTheSameWords() throws IOException {
        Path modelDir = Files.createDirectories(tmp.resolve("bert-tiny"));
        for (var f : Fixtures.bertTiny().entrySet()) {
            Files.write(modelDir.resolve(f.getKey()), f.getValue());
        }
        for (String[] row : TABLE) {
            List<String> api = api(row[1]);
            List<String> cli = cli(modelDir, row[0]);
            assertThat(api).as("API errors for %s", row[1]).isNotEmpty();
            assertThat(cli).as("CLI %s vs API %s", row[0], row[1]).containsExactlyInAnyOrderElementsOf(api);
        }
    }

    private List<String> api(String extra) {
        var r = http.postJson("/v1/jobs", tenant.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"," + extra + "}");
        assertProblem(r, 422, "invalid_job");
        List<String> out = new ArrayList<>();
        for (JsonNode e : r.json().get("errors")) {
            out.add(e.get("field").asString() + " | " + e.get("code").asString() + " | " + e.get("message").asString());
        }
        return out;
    }

    private List<String> cli(Path modelDir, String options) {
        List<String> argv = new ArrayList<>(List.of("train", "--model", modelDir.toString(), "--task", "text-classification",
                "--dataset", tmp.resolve("never-read.jsonl").toString(), "--out", tmp.resolve("out").toString()));
        argv.addAll(List.of(options.split(" ")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isEqualTo(2);
        List<String> errors = new ArrayList<>();
        for (String line : printed.split("\n")) {
            Matcher m = CLI_ERROR.matcher(line.strip());
            assertThat(m.matches()).as("an error line: %s", line).isTrue();
            errors.add(m.group(1) + " | " + m.group(3) + " | " + m.group(2));
        }
        return errors;
    }
}
