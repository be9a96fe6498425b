"""Multinomial logistic regression over a sparse block (tf-idf counts) and a dense block (sentence
embeddings) side by side: the model and the solver of sklearn's LogisticRegression(solver="lbfgs"), with the
gradient computed block by block.

Why not sklearn itself: it takes one matrix, so the embeddings (7,500 × 900, dense) had to be stored as a
sparse matrix next to the counts, and every L-BFGS iteration multiplied 7 million stored values through
scipy's single-threaded sparse product: about two minutes of a five-minute training. Here the dense block
goes through BLAS and the same fit takes seconds. The objective is sklearn's exactly (the sum of the
log-losses plus ||W||² / 2C, intercepts not penalised), minimised by the same scipy L-BFGS-B from zero, so the
optimum is the same (tests/unit/test_logistic.py compares the two).

Two things make Haven's fit (9,000 examples × 44,000 columns × 29 intents) take half the time of sklearn's
rule, measured on it: the products are computed in float32 (the optimiser keeps its float64 vector), and the
fit stops when an iteration lowers the objective by less than `relative_tolerance` (1e-6) instead of
scipy's 2e-9: the last hundred iterations lowered it by 0.003 % and changed 0.06 % of the held-out
predictions (66 s → 38 s; macro-F1 0.8762 → 0.8766 on an 80/20 split of the training data)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
import scipy.optimize
import scipy.sparse


@dataclass
class Fitted:
    coef: np.ndarray  # (classes, sparse columns + dense columns)
    intercept: np.ndarray  # (classes,)
    classes: np.ndarray
    iterations: int


def fit_multinomial(sparse: scipy.sparse.csr_matrix, dense: Optional[np.ndarray], labels: Sequence[str],
                    C: float, max_iter: int = 5000, tol: float = 1e-4, relative_tolerance: float = 1e-6,
                    dtype: type = np.float32) -> Fitted:
    """`tol` bounds the projected gradient, as sklearn's; `relative_tolerance` the objective's decrease per
    iteration (scipy's `ftol`); `dtype` is the precision of the matrix products."""
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    n, k = sparse.shape[0], len(classes)
    s = sparse.shape[1]
    d = 0 if dense is None else dense.shape[1]
    sparse = scipy.sparse.csr_matrix(sparse, dtype=dtype)
    sparse_t = sparse.T.tocsr()
    dense = None if dense is None else np.ascontiguousarray(dense, dtype=dtype)
    onehot = np.zeros((n, k), dtype=dtype)
    onehot[np.arange(n), y] = 1.0
    alpha = 1.0 / C

    def split(w: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        weights = w[: k * (s + d)].reshape(k, s + d)
        return weights[:, :s], weights[:, s:], w[k * (s + d):]

    def loss_and_gradient(w: np.ndarray) -> Tuple[float, np.ndarray]:
        w_sparse, w_dense, intercept = split(w.astype(dtype, copy=False))
        scores = np.asarray(sparse @ np.ascontiguousarray(w_sparse.T)) + intercept
        if dense is not None:
            scores += dense @ w_dense.T
        top = scores.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scores - top).sum(axis=1, keepdims=True)) + top
        loss = float((log_norm[:, 0] - scores[np.arange(n), y]).sum(dtype=np.float64))
        weights = w[: k * (s + d)]
        loss += 0.5 * alpha * float(weights @ weights)
        residual = np.exp(scores - log_norm) - onehot  # (n, k)
        gradient = np.empty_like(w)
        grad_weights = gradient[: k * (s + d)].reshape(k, s + d)
        grad_weights[:, :s] = np.asarray(sparse_t @ residual).T
        if dense is not None:
            grad_weights[:, s:] = residual.T @ dense
        grad_weights += alpha * w[: k * (s + d)].reshape(k, s + d)
        gradient[k * (s + d):] = residual.sum(axis=0)
        return loss, gradient

    result = scipy.optimize.minimize(loss_and_gradient, np.zeros(k * (s + d) + k), method="L-BFGS-B", jac=True,
                                     options={"gtol": tol, "ftol": relative_tolerance, "maxiter": max_iter})
    w_sparse, w_dense, intercept = split(result.x)
    return Fitted(np.hstack([w_sparse, w_dense]), intercept.copy(), classes, int(result.nit))
