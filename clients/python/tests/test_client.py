"""The client against a real server: ./slicefine serve on a free port and a temporary data dir."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import slicefine  # noqa: E402
from slicefine import errors  # noqa: E402
from local_server import LocalServer  # noqa: E402

FIXTURES = os.path.join(ROOT, "engine", "src", "test", "resources", "fixtures")
KEY = "sk-python-client-test-0123456789"
SERVER = {}


def setUpModule():
    server = LocalServer.start(KEY, prefix="slicefine-py-", timeout=600)
    SERVER.update(server=server, url=server.url, work=tempfile.mkdtemp(prefix="slicefine-py-work-"))


def tearDownModule():
    if SERVER.get("server"):
        SERVER["server"].stop()
    if SERVER.get("work"):
        shutil.rmtree(SERVER["work"], ignore_errors=True)


def model_dir(name, tokenizer):
    d = os.path.join(SERVER["work"], name + "-" + uuid.uuid4().hex[:6])
    os.makedirs(d)
    for f in ("config.json", "model.safetensors"):
        shutil.copy(os.path.join(FIXTURES, name, f), os.path.join(d, f))
    shutil.copy(os.path.join(FIXTURES, "tokenizers", tokenizer), os.path.join(d, "tokenizer.json"))
    return d


def labelled(path, n, labels=("LABEL_0", "LABEL_1", "LABEL_2")):
    words = ["good fun happy", "bad sad awful", "plain neutral okay"]
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"text": "%s number %d" % (words[i % 3], i), "label": labels[i % 3]}) + "\n")
    return path


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.client = slicefine.Client(SERVER["url"], KEY)
        self.work = SERVER["work"]

    def test_errors_carry_the_problem_code_and_field_errors(self):
        with self.assertRaises(errors.NotFound) as nf:
            self.client.get_job(str(uuid.uuid4()))
        self.assertEqual(nf.exception.code, "not_found")
        self.assertEqual(nf.exception.status, 404)
        with self.assertRaises(errors.InvalidRequest) as bad:
            self.client.create_evaluation(str(uuid.uuid4()), batch_size=0)
        self.assertEqual(bad.exception.code, "invalid_evaluation")
        fields = {e.field for e in bad.exception.errors}
        self.assertIn("batch_size", fields)
        self.assertIn("model_id", fields)
        with self.assertRaises(errors.SliceFineError) as unauth:
            slicefine.Client(SERVER["url"], "sk-wrong-key-0000000000000000").get_job(str(uuid.uuid4()))
        self.assertEqual(unauth.exception.status, 401)

    def test_resumable_upload_reports_progress_and_continues_from_the_servers_offset(self):
        path = labelled(os.path.join(self.work, "resumable.jsonl"), 300)
        size = os.path.getsize(path)
        seen = []
        d = self.client.upload_dataset(path, resumable=True, chunk_size=4096, progress=lambda done, total: seen.append((done, total)))
        self.assertEqual(d.status, "ready")
        self.assertGreater(len(seen), 3)
        self.assertEqual(seen[-1], (size, size))
        # an interrupted upload: half the bytes reached the server; the client asks for the offset and goes on
        up = self.client._json("POST", "/v1/uploads", {"purpose": "dataset", "filename": "half.jsonl", "size": size})
        with open(path, "rb") as f:
            half = f.read(size // 2)
        self.client._open("PATCH", "/v1/uploads/" + up["id"], half, {
            "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}).close()
        self.assertEqual(self.client.upload_offset(up["id"]), size // 2)
        with self.assertRaises(errors.Conflict) as c:
            self.client._open("PATCH", "/v1/uploads/" + up["id"], b"x", {
                "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        self.assertEqual(c.exception.code, "offset_mismatch")

    def test_readme_pipeline_runs_verbatim(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        block = re.search(r"<!-- pipeline:begin -->\s*```python\n(.*?)```\s*<!-- pipeline:end -->", readme, re.S)
        self.assertIsNotNone(block, "README.md has no pipeline block")
        os.environ.update(SLICEFINE_URL=SERVER["url"], SLICEFINE_KEY=KEY, MODEL_DIR=model_dir("bert-tiny", "wordpiece.json"),
                          TRAIN_JSONL=labelled(os.path.join(self.work, "train.jsonl"), 48),
                          EVAL_JSONL=labelled(os.path.join(self.work, "eval.jsonl"), 24), MAX_STEPS="6")
        cwd = os.getcwd()
        os.chdir(self.work)
        try:
            scope = {}
            exec(compile(block.group(1), "README.md pipeline", "exec"), scope)
        finally:
            os.chdir(cwd)
        self.assertEqual(scope["job"].status, "succeeded")
        self.assertEqual(scope["tuned"].status, "succeeded")
        self.assertIsNotNone(scope["tuned"].accuracy)
        self.assertIsNotNone(scope["base"].accuracy)
        merged = os.path.join(self.work, "merged.zip")
        self.assertTrue(os.path.getsize(merged) > 1000)
        import zipfile
        with zipfile.ZipFile(merged) as z:
            self.assertIn("model.safetensors", z.namelist())

        client, job = self.client, scope["job"]
        # events and metrics as rows; following from seq 2 starts at 3 (Last-Event-ID)
        events = list(client.events(job))
        self.assertEqual([e.seq for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1].to_status, "succeeded")
        followed = list(client.events(job, after=2, follow=True))
        self.assertEqual(followed[0].seq, 3)
        self.assertEqual(len(followed), len(events) - 2)
        metrics = list(client.metrics(job))
        self.assertTrue(any(m.loss is not None for m in metrics))
        # predictions: the evaluation's pages hold every example, and recompute its accuracy
        preds = list(client.evaluation_predictions(scope["tuned"].id, page_size=5))
        self.assertEqual(len(preds), 24)
        acc = sum(p["label"] == p["predicted"] for p in preds) / 24
        self.assertAlmostEqual(acc, scope["tuned"].accuracy, places=9)
        # the job's evaluations (its final one, if any, and the README's), and none of the base model's
        of_job = list(client.evaluations(job_id=job.id))
        self.assertIn(scope["tuned"].id, [e.id for e in of_job])
        self.assertNotIn(scope["base"].id, [e.id for e in of_job])
        self.assertTrue(all(e.job_id == job.id for e in of_job))
        # try the result
        out = client.predict(["good fun happy"], job_id=job.id)
        self.assertAlmostEqual(sum(out[0].probabilities.values()), 1.0, places=5)
        self.assertEqual(out[0].score, out[0].probabilities[out[0].label])

        # a download cut short resumes with Range from the bytes already there
        full = os.path.join(self.work, "diff.zip")
        client.download(job, "diff", full)
        with open(full, "rb") as f:
            want = f.read()
        partial = os.path.join(self.work, "diff-resumed.zip")
        with open(partial + ".part", "wb") as f:
            f.write(want[: len(want) // 2])
        with urllib.request.urlopen(urllib.request.Request(SERVER["url"] + "/v1/jobs/%s/artifacts/diff" % job.id, method="HEAD",
                                                           headers={"Authorization": "Bearer " + KEY})) as r:
            etag = r.headers["ETag"]
        with open(partial + ".part.etag", "w") as f:
            f.write(etag)
        progress = []
        client.download(job, "diff", partial, progress=lambda d, t: progress.append((d, t)))
        with open(partial, "rb") as f:
            self.assertEqual(f.read(), want)
        self.assertGreaterEqual(progress[0][0], len(want) // 2, "resumed, not restarted")

    def test_generates_with_a_causal_lm_and_cancels_an_evaluation(self):
        llama = self.client.upload_model(model_dir("llama-tiny", "bpe.json"), name="llama")
        a = self.client.generate("the cat", model_id=llama.id, max_new_tokens=5)
        b = self.client.generate("the cat", model_id=llama.id, max_new_tokens=5)
        self.assertEqual(a.completion, b.completion)
        self.assertLessEqual(len(a.tokens), 5)
        with self.assertRaises(errors.InvalidRequest) as bad:
            self.client.generate("x", model_id=llama.id, top_p=3)
        self.assertEqual(bad.exception.errors[0].field, "top_p")
        bert = self.client.upload_model(model_dir("bert-tiny", "wordpiece.json"))
        ds = self.client.upload_dataset(labelled(os.path.join(self.work, "big.jsonl"), 3000))
        ev = self.client.create_evaluation(ds.id, model_id=bert.id, batch_size=1)
        self.client.cancel_evaluation(ev.id)
        with self.assertRaises(errors.JobFailed) as failed:
            self.client.wait(ev, timeout=300)
        self.assertEqual(failed.exception.run.status, "cancelled")


if __name__ == "__main__":
    unittest.main()
