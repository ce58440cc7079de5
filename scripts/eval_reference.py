#!/usr/bin/env python3
"""Independent reference for engine/src/test/.../eval/ClassificationMetricsTest and LmMetricsTest: the scores of
fixed predictions computed with numpy only (scikit-learn's definitions, zero_division=0). Prints the constants the
tests paste. Run: python3 scripts/eval_reference.py"""
import numpy as np

labels = ["a", "b", "c", "d"]
# gold -1 = a label the model does not know
gold = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, -1, 2, 0, -1])
pred = np.array([0, 1, 1, 1, 0, 2, 1, 0, 1, 2, 3, 0, 0])
loss = np.array([0.1, 1.2, 0.3, 0.2, 2.0, 0.4, 1.5, 0.05, 0.25, 9.0, 3.0, 0.15, 9.0])
keep = gold >= 0
g, p, l = gold[keep], pred[keep], loss[keep]
k = len(labels)
cm = np.zeros((k, k), dtype=int)
for a, b in zip(g, p):
    cm[a, b] += 1
tp = np.diag(cm).astype(float)
support = cm.sum(axis=1)
predicted = cm.sum(axis=0)
precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(k), where=(precision + recall) > 0)
present = (support > 0) | (predicted > 0)
print("accuracy", repr(float((g == p).mean())))
print("macro_f1", repr(float(f1[present].mean())))
print("weighted_f1", repr(float((f1 * support).sum() / support.sum())))
print("mean_loss", repr(float(l.mean())))
print("precision", [repr(float(x)) for x in precision])
print("recall", [repr(float(x)) for x in recall])
print("f1", [repr(float(x)) for x in f1])
print("support", support.tolist())
print("confusion", cm.tolist())

loss_sums = np.array([3.0, 1.5, 6.25, 0.5])
tokens = np.array([4, 2, 5, 1])
mean = loss_sums.sum() / tokens.sum()
print("lm_mean_loss", repr(float(mean)), "perplexity", repr(float(np.exp(mean))))
