#!/usr/bin/env python3
"""fortunes8 accuracy from the API: a SliceFine run vs its base head-only run on all-MiniLM-L6-v2, each scored by the
final evaluation the worker queues for a job with an eval dataset (GET /v1/evaluations/{job.evaluation_id}).

Not part of the test run (two real trainings: minutes on a 2-core machine). The recipe is the reduced bench one
(README: `bench quality --datasets fortunes8 --epochs 1 --max-seq-len 64 --batch-size 32`): AdamW, linear schedule
with 10 % warm-up, 1 epoch, head lr 2e-3, SliceFine (column r4, move_steps 50) lr 5e-3.

    python3 scripts/fortunes8_api.py --shared ../shared            # starts ./slicefine serve on a free port
    SLICEFINE_URL=http://localhost:8080 SLICEFINE_KEY=... python3 scripts/fortunes8_api.py --shared ../shared
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, os.path.join(ROOT, "clients", "python", "tests"))

from slicefine import Client  # noqa: E402
from local_server import LocalServer  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-seq-len", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--methods", default="head,slicefine", help="which runs, comma-separated (head, slicefine)")
    a = p.parse_args()
    model_dir = os.path.join(a.shared, "models", "all-minilm-l6-v2")
    train_file = os.path.join(a.shared, "datasets", "fortunes8.train.jsonl")
    eval_file = os.path.join(a.shared, "datasets", "fortunes8.validation.jsonl")
    for f in (model_dir, train_file, eval_file):
        if not os.path.exists(f):
            print("skipped: %s is missing" % f)
            return 0
    server = None
    url, key = os.environ.get("SLICEFINE_URL"), os.environ.get("SLICEFINE_KEY")
    if not url:
        key = "sk-fortunes8-" + os.urandom(8).hex()
        server = LocalServer.start(key, prefix="slicefine-fortunes8-", timeout=900)
        url = server.url
    try:
        client = Client(url, key)
        files = [os.path.join(model_dir, f) for f in ("config.json", "model.safetensors", "tokenizer.json")]
        model = client.upload_model(files, name="all-minilm-l6-v2")
        train = client.upload_dataset(train_file)
        evalset = client.upload_dataset(eval_file)
        with open(train_file) as f:
            rows = sum(1 for line in f if line.strip())
        steps = a.epochs * -(-rows // a.batch_size)
        results = {}
        runs = (("head", 2e-3, {}), ("slicefine", 5e-3, {"slicefine": {"rank": 4, "modes": ["column"], "move_steps": 50}}))
        for method, lr, extra in (r for r in runs if r[0] in a.methods.split(",")):
            t0 = time.monotonic()
            job = client.create_job(model.id, train.id, task="text-classification", method=method, eval_dataset_id=evalset.id,
                                    train={"optimizer": "adamw", "learning_rate": lr, "lr_schedule": "linear",
                                           "warmup_steps": max(1, steps // 10), "epochs": a.epochs, "batch_size": a.batch_size,
                                           "max_seq_len": a.max_seq_len, "grad_clip": 0}, **extra)
            job = client.wait(job)
            train_s = time.monotonic() - t0
            if not job.evaluation_id:
                raise RuntimeError("job %s has no final evaluation" % job.id)
            ev = client.wait(client.get_evaluation(job.evaluation_id))
            m = ev.metrics
            results[method] = {"job_id": job.id, "evaluation_id": ev.id, "accuracy": m.get("accuracy"),
                               "macro_f1": m.get("macro_f1"), "mean_loss": m.get("mean_loss"), "examples": m.get("examples"),
                               "train_and_eval_seconds": round(time.monotonic() - t0, 1), "train_seconds": round(train_s, 1)}
            print("%-9s accuracy %.4f  macro F1 %.4f  mean loss %.4f  (%d examples, %.0f s)" % (
                method, m["accuracy"], m["macro_f1"], m["mean_loss"], m["examples"], time.monotonic() - t0), flush=True)
        print(json.dumps({"fortunes8": results, "epochs": a.epochs, "max_seq_len": a.max_seq_len, "batch_size": a.batch_size}))
        return 0
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
