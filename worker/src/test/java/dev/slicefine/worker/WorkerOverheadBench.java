package dev.slicefine.worker;

import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.train.TrainListener;
import dev.slicefine.worker.jobs.StoredConfig;
import dev.slicefine.worker.support.WorkerTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (run with {@code mvn -pl worker test -Dtest=WorkerOverheadBench}): the same job through the
 * worker (claim, materialise, metrics/event rows, checkpoint uploads, artifact zip + blob) and as a bare
 * {@code FineTune.run} in the same warm JVM, three rounds (round 1: bare first).
 */
class WorkerOverheadBench extends WorkerTestBase {
    static final String CONFIG = """
            {"task": "text-classification", "method": "slicefine", "slicefine": {"rank": 4, "move_steps": 50},
             "train": {"max_steps": 150, "batch_size": 16, "max_seq_len": 32, "log_every": 10, "checkpoint_every": 50, "seed": 7}}""";

    @Test
    void workerVersusBareEngine() throws Exception {
        UUID tenant = tenant();
        UUID model = model(tenant);
        String lines = sentiment(512);
        UUID data = dataset(tenant, "train.jsonl", lines);
        Path tmp = Files.createTempDirectory("bench");
        Files.writeString(tmp.resolve("train.jsonl"), lines);
        startPool(1);
        for (int round = 1; round <= 3; round++) {
            // Round 1 runs the bare engine first: the first training in a JVM pays a warm-up of its own.
            double bare = 0;
            if (round == 1) {
                bare = bare(tmp, round);
            }
            long t0 = System.nanoTime();
            UUID job = job(tenant, model, data, CONFIG);
            awaitStatus(job, "succeeded", Duration.ofMinutes(5));
            double worker = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = jdbc().sql("""
                    SELECT extract(epoch FROM finished_at - started_at) AS run, extract(epoch FROM started_at - queued_at) AS wait
                    FROM jobs WHERE id = :id""").param("id", job).query().singleRow();
            if (round > 1) {
                bare = bare(tmp, round);
            }
            System.out.printf("bench round %d: worker %.2f s (queued->succeeded as polled; started->finished %.2f s, claim wait %.2f s),"
                    + " bare FineTune.run %.2f s%n", round, worker, ((Number) r.get("run")).doubleValue(),
                    ((Number) r.get("wait")).doubleValue(), bare);
        }
    }

    private static double bare(Path tmp, int round) {
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // see JobRunner.prepareTrainingThread
        long t1 = System.nanoTime();
        FineTune.run(StoredConfig.parse(CONFIG).toSpec(BERT, tmp.resolve("train.jsonl"), null, tmp.resolve("out-" + round),
                tmp.resolve("ckpt-" + round)), new TrainListener() {});
        return (System.nanoTime() - t1) / 1e9;
    }
}
