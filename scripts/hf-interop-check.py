#!/usr/bin/env python3
"""Loads SliceFine's downloads in the Hugging Face stack, unchanged, and compares logits with the engine's.

For one case: the merged checkpoint through AutoModelForSequenceClassification / AutoModelForCausalLM, and the base
with the PEFT adapter through PeftModel.from_pretrained; both must load without missing keys (the adapter: exactly the
keys PEFT itself would save for that model) and give the logits `./slicefine logits` wrote for the merged checkpoint,
within --tolerance.

    python3 scripts/hf-interop-check.py --merged DIR --peft DIR --base DIR \
        --inputs IN.safetensors --expected OUT.safetensors --task seq-cls|causal-lm
    python3 scripts/hf-interop-check.py --all OUT     # every case scripts/make-interop-artifacts.sh made in OUT

Needs torch, transformers and peft (any device; runs on CPU). Exit 0 when every check passes, 1 otherwise.
"""
import argparse
import os
import sys


def load_inputs(path):
    from safetensors.torch import load_file

    tensors = load_file(path)
    return {k: tensors[k].long() for k in ("input_ids", "attention_mask", "token_type_ids") if k in tensors}


def model_class(task):
    import transformers

    if task == "seq-cls":
        return transformers.AutoModelForSequenceClassification
    if task == "causal-lm":
        return transformers.AutoModelForCausalLM
    raise SystemExit("unknown --task %r (seq-cls, causal-lm)" % task)


def logits_of(model, inputs):
    import torch

    model.eval()
    with torch.no_grad():
        return model(**inputs).logits.float()


def compare(what, got, expected, tolerance, failures):
    if tuple(got.shape) != tuple(expected.shape):
        failures.append("%s: logits shape %s, expected %s" % (what, tuple(got.shape), tuple(expected.shape)))
        print("FAIL", failures[-1])
        return
    diff = (got - expected).abs().max().item()
    ok = diff <= tolerance
    print("%s %s: max |logits - slicefine logits| = %.3g (tolerance %g)" % ("ok  " if ok else "FAIL", what, diff, tolerance))
    if not ok:
        failures.append("%s: max abs difference %.3g > %g" % (what, diff, tolerance))


def check(merged, peft_dir, base, inputs_path, expected_path, task, tolerance, device):
    import torch
    from safetensors.torch import load_file

    failures = []
    cls = model_class(task)
    inputs = {k: v.to(device) for k, v in load_inputs(inputs_path).items()}
    expected = load_file(expected_path)["logits"].float().to(device)

    if merged:
        model, info = cls.from_pretrained(merged, torch_dtype=torch.float32, output_loading_info=True)
        model.to(device)
        print("merged %s loads as %s" % (merged, type(model).__name__))
        if info.get("missing_keys"):
            failures.append("merged: missing keys %s" % sorted(info["missing_keys"]))
            print("FAIL", failures[-1])
        if info.get("mismatched_keys"):
            failures.append("merged: mismatched keys %s" % info["mismatched_keys"])
            print("FAIL", failures[-1])
        if info.get("unexpected_keys"):
            print("note merged: unused keys %s" % sorted(info["unexpected_keys"]))
        compare("merged", logits_of(model, inputs), expected, tolerance, failures)

    if peft_dir:
        from peft import PeftModel, get_peft_model_state_dict
        from transformers import AutoConfig

        kwargs = {}
        if task == "seq-cls":
            # the base says nothing of the task's labels; take them from the merged config, as a user passes num_labels
            labels_from = AutoConfig.from_pretrained(merged) if merged else None
            if labels_from is not None:
                kwargs = {"num_labels": labels_from.num_labels, "id2label": labels_from.id2label,
                          "label2id": labels_from.label2id}
        base_model = cls.from_pretrained(base, torch_dtype=torch.float32, **kwargs)
        adapted = PeftModel.from_pretrained(base_model, peft_dir).to(device)
        print("peft %s on %s loads as %s" % (peft_dir, base, type(adapted).__name__))
        saved = set(load_file(os.path.join(peft_dir, "adapter_model.safetensors")).keys())
        wanted = set(get_peft_model_state_dict(adapted).keys())
        if saved != wanted:
            failures.append("peft: keys PEFT would save but the adapter lacks %s; keys PEFT does not know %s"
                            % (sorted(wanted - saved), sorted(saved - wanted)))
            print("FAIL", failures[-1])
        else:
            print("ok   peft: the adapter has exactly the %d keys PEFT saves for this model" % len(saved))
        compare("peft", logits_of(adapted, inputs), expected, tolerance, failures)
    return failures


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--merged", help="merged checkpoint folder (./slicefine merge, or /artifacts/merged unzipped)")
    p.add_argument("--peft", help="PEFT adapter folder (./slicefine export-peft, or /artifacts/peft unzipped)")
    p.add_argument("--base", help="the base checkpoint folder the adapter applies to (needed with --peft)")
    p.add_argument("--inputs", help="safetensors with input_ids, attention_mask (+ token_type_ids)")
    p.add_argument("--expected", help="safetensors with 'logits' from ./slicefine logits on the merged checkpoint")
    p.add_argument("--task", choices=["seq-cls", "causal-lm"], help="which Auto class loads the checkpoint")
    p.add_argument("--all", metavar="OUT", help="check every case folder scripts/make-interop-artifacts.sh made in OUT")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    a = p.parse_args(argv)

    cases = []
    if a.all:
        for name in sorted(os.listdir(a.all)):
            d = os.path.join(a.all, name)
            if os.path.isfile(os.path.join(d, "task.txt")):
                with open(os.path.join(d, "task.txt")) as f:
                    task = f.read().strip()
                cases.append((name, os.path.join(d, "merged"), os.path.join(d, "peft"), os.path.join(d, "base"),
                              os.path.join(d, "inputs.safetensors"), os.path.join(d, "expected.safetensors"), task))
        if not cases:
            p.error("no case folders (with task.txt) in %s" % a.all)
    else:
        if not (a.inputs and a.expected and a.task and (a.merged or a.peft)):
            p.error("give --inputs, --expected, --task and --merged and/or --peft (or --all OUT)")
        if a.peft and not a.base:
            p.error("--peft needs --base")
        cases.append(("check", a.merged, a.peft, a.base, a.inputs, a.expected, a.task))

    import peft
    import torch
    import transformers

    print("torch %s, transformers %s, peft %s" % (torch.__version__, transformers.__version__, peft.__version__))
    failed = {}
    for name, merged, peft_dir, base, inputs, expected, task in cases:
        print("== %s (%s)" % (name, task))
        failures = check(merged, peft_dir, base, inputs, expected, task, a.tolerance, a.device)
        if failures:
            failed[name] = failures
    if failed:
        print("FAILED: %s" % ", ".join(sorted(failed)))
        return 1
    print("all %d case(s) load in transformers / PEFT and match ./slicefine logits" % len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
