"""The Benna–Fusi chain's response, solved independently of NDML (numpy eigen-decomposition), for
test_consolidation.py and test_memory_lifecycle.py."""

from __future__ import annotations

import numpy as np


def chain_response(m: int, tau1: float, leak: bool, times: np.ndarray) -> np.ndarray:
    """u₁(t) after a unit write into u₁ at t = 0: exp(A t)₁₁ of C_k du_k/dt = g_{k−1,k}(u_{k−1} − u_k)
    + g_{k,k+1}(u_{k+1} − u_k) with C_k = 2^(k−1), g_{k,k+1} = 2^(−(k−1))/τ₁ (the last one the leak),
    from the symmetrised generator's eigenvectors; `times` in the unit of `tau1`."""
    c = 2.0 ** np.arange(m)
    g = 2.0 ** -np.arange(m) / tau1
    if not leak:
        g[-1] = 0
    lap = np.zeros((m, m))  # C du/dt = -L u
    for k in range(m):
        lap[k, k] += g[k]
        if k + 1 < m:
            lap[k + 1, k + 1] += g[k]
            lap[k, k + 1] -= g[k]
            lap[k + 1, k] -= g[k]
    s = np.diag(c ** -0.5)
    lam, vec = np.linalg.eigh(s @ lap @ s)  # A = -C⁻¹L is similar to -S L S
    # exp(A t) = S⁻¹ V e^{-Λ t} Vᵀ S  →  entry (1, 1) = Σ_j v_{1j}² e^{-λ_j t} (c₁ = 1)
    return (vec[0] ** 2 * np.exp(-np.outer(times, lam))).sum(axis=1)
