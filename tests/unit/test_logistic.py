"""bot.logistic fits the model sklearn's LogisticRegression(lbfgs, multinomial) fits, on blocks."""
from __future__ import annotations

import numpy as np
import scipy.sparse
from sklearn.linear_model import LogisticRegression

from bot.logistic import fit_multinomial


def data(seed: int = 3):
    rng = np.random.default_rng(seed)
    n, classes = 300, 4
    labels = rng.integers(0, classes, n)
    sparse = scipy.sparse.random(n, 40, density=0.1, random_state=seed, format="csr")
    sparse = sparse + scipy.sparse.csr_matrix(np.eye(classes)[labels] @ rng.random((classes, 40)) * (rng.random((n, 40)) < 0.1))
    dense = rng.normal(size=(n, 6)) + labels.reshape(-1, 1) * 0.5
    return scipy.sparse.csr_matrix(sparse), dense, np.array([f"intent_{i}" for i in labels])


def test_same_coefficients_and_predictions_as_sklearn() -> None:
    sparse, dense, labels = data()
    reference = LogisticRegression(C=30.0, max_iter=5000, random_state=7, tol=1e-8).fit(
        scipy.sparse.hstack([sparse, scipy.sparse.csr_matrix(dense)]).tocsr(), labels)
    fitted = fit_multinomial(sparse, dense, labels, C=30.0, tol=1e-8, relative_tolerance=1e-15, dtype=np.float64)
    assert list(fitted.classes) == list(reference.classes_)
    np.testing.assert_allclose(fitted.coef, reference.coef_, atol=2e-3)
    np.testing.assert_allclose(fitted.intercept, reference.intercept_, atol=2e-3)
    x = np.hstack([sparse.toarray(), dense])
    assert ((x @ fitted.coef.T + fitted.intercept).argmax(1) == (x @ reference.coef_.T + reference.intercept_).argmax(1)).all()


def test_without_a_dense_block() -> None:
    sparse, _, labels = data(5)
    reference = LogisticRegression(C=1.0, max_iter=5000, tol=1e-8).fit(sparse, labels)
    fitted = fit_multinomial(sparse, None, labels, C=1.0, tol=1e-8, relative_tolerance=1e-15, dtype=np.float64)
    np.testing.assert_allclose(fitted.coef, reference.coef_, atol=2e-3)


def test_haven_defaults_predict_as_sklearn() -> None:
    """The float32 products and the earlier stop Haven trains with change no prediction on this data."""
    sparse, dense, labels = data(11)
    reference = LogisticRegression(C=30.0, max_iter=5000, tol=1e-8).fit(
        scipy.sparse.hstack([sparse, scipy.sparse.csr_matrix(dense)]).tocsr(), labels)
    fitted = fit_multinomial(sparse, dense, labels, C=30.0)
    x = np.hstack([sparse.toarray(), dense])
    assert ((x @ fitted.coef.T + fitted.intercept).argmax(1) == (x @ reference.coef_.T + reference.intercept_).argmax(1)).mean() >= 0.99
