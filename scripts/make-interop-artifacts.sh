#!/usr/bin/env bash
# Makes, from the tiny fixtures, the artifacts scripts/hf-interop-check.py loads in the Hugging Face stack: per case a
# base folder, a replayed training run's slice diff, the merged checkpoint, the PEFT adapter, the inputs and the logits
# `./slicefine logits` computes for the merged checkpoint. Needs only Java + Maven (and python3 without packages for
# the bare-encoder case). Then, on a machine with torch + transformers + peft:
#
#   scripts/make-interop-artifacts.sh OUT          # here (or anywhere the project builds)
#   python3 scripts/hf-interop-check.py --all OUT  # there: every case, exit 1 on any mismatch
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:?usage: scripts/make-interop-artifacts.sh OUT_DIR}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
FIX="$ROOT/engine/src/test/resources/fixtures"
SF="$ROOT/slicefine"

# One case: NAME, BASE (a checkpoint folder holding inputs.safetensors), RUN (a reference run whose batches and
# settings are replayed), TASK (seq-cls | causal-lm), LR (the run's own when empty).
make_case() {
  local name="$1" base="$2" run="$3" task="$4" lr="${5:-}"
  local dir="$OUT/$name" ref="$FIX/$run/run.json"
  rm -rf "$dir" && mkdir -p "$dir/base"
  find "$base" -maxdepth 1 -type f \( -name '*.json' -o -name 'model.safetensors' \) -exec cp {} "$dir/base/" \;
  cp "$base/inputs.safetensors" "$dir/inputs.safetensors"
  # the run's settings as shell variables (one python start: they are slow on a busy machine)
  local r_lr r_rank r_modes r_move_steps r_position r_steps r_targets
  eval "$(python3 - "$ref" <<'PY'
import json, shlex, sys
run = json.load(open(sys.argv[1]))
for key in ("lr", "rank", "modes", "move_steps", "position", "steps", "targets"):
    v = run[key]
    print("r_%s=%s" % (key, shlex.quote(",".join(map(str, v)) if isinstance(v, list) else str(v))))
PY
)"
  "$SF" train --model "$dir/base" --task "$([ "$task" = causal-lm ] && echo causal-lm || echo text-classification)" \
    --batches "$FIX/$run/batches.safetensors" --optimizer sgd --lr "${lr:-$r_lr}" --lr-schedule constant \
    --grad-clip 0 --rank "$r_rank" --modes "$r_modes" --move-steps "$r_move_steps" \
    --position "$r_position" --max-steps "$r_steps" --targets "$r_targets" --log-every 100 \
    --out "$dir/diff" >/dev/null
  "$SF" merge --model "$dir/base" --diff "$dir/diff" --out "$dir/merged"
  "$SF" export-peft --model "$dir/base" --diff "$dir/diff" --out "$dir/peft"
  "$SF" logits --model "$dir/merged" --inputs "$dir/inputs.safetensors" --out "$dir/expected.safetensors" >/dev/null
  echo "$task" > "$dir/task.txt"
  echo "made $dir"
}

# bert-tiny as a sentence-transformers export (BertModel, no "bert." prefix, no pooler, no head): the classifier
# gets a pooler trained with it, and the result must still be a plain BertForSequenceClassification.
bare_encoder() {
  local dest="$1"
  mkdir -p "$dest"
  python3 - "$FIX/bert-tiny" "$dest" <<'PY'
import json, struct, sys
src, dest = sys.argv[1], sys.argv[2]
with open(src + "/model.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
out, chunks, offset = {}, [], 0
for name, info in sorted((k, v) for k, v in header.items() if k != "__metadata__"):
    if not name.startswith("bert.") or name.startswith("bert.pooler."):
        continue
    a, b = info["data_offsets"]
    chunks.append(data[a:b])
    out[name[len("bert."):]] = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [offset, offset + b - a]}
    offset += b - a
out["__metadata__"] = {"format": "pt"}
h = json.dumps(out, separators=(",", ":")).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(dest + "/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
config = json.load(open(src + "/config.json"))
config["architectures"] = ["BertModel"]
json.dump(config, open(dest + "/config.json", "w"), indent=2, sort_keys=True)
PY
}

TMP_BARE="$(mktemp -d)"
trap 'rm -rf "$TMP_BARE"' EXIT
bare_encoder "$TMP_BARE/bert-bare-encoder"
cp "$FIX/bert-tiny/inputs.safetensors" "$TMP_BARE/bert-bare-encoder/"

make_case bert-tiny "$FIX/bert-tiny" bert-tiny/slicefine-row-column seq-cls
make_case roberta-tiny "$FIX/roberta-tiny" roberta-tiny/slicefine-column seq-cls
make_case llama-tiny "$FIX/llama-tiny" llama-tiny/slicefine-column causal-lm
# the bare encoder replays bert-tiny's batches (same vocabulary and labels)
make_case bert-bare-encoder "$TMP_BARE/bert-bare-encoder" bert-tiny/slicefine-row-column seq-cls 0.1
echo "now, on a machine with torch + transformers + peft: python3 scripts/hf-interop-check.py --all $OUT"
