"""Named constants of statistical process control, each with its source."""

import numpy as np
from scipy.special import gammaln

D2 = 1.128  # E[range of 2 normals] / sigma; Montgomery Appendix VI (n = 2)
D3 = 0.853  # sd[range of 2 normals] / sigma; Montgomery Appendix VI (n = 2)
MR_UCL_FACTOR = 3.267  # D4 for n = 2 = 1 + 3 * D3 / D2; Montgomery Appendix VI, qicharts2
MR_SCREEN_FACTOR = MR_UCL_FACTOR  # Nelson (1982): drop moving ranges at or above 3.267 x AMR
T_EXPONENT = 3.6  # Nelson (1994): y ** (1 / 3.6) makes exponential times roughly normal
CROSSINGS_PERCENTILE = 0.05  # Anhøj (2015): fewer crossings than the 5th binomial percentile
SIGMA_LIMIT = 3.0  # Shewhart: control limits at three sigma
SIGMA_WARNING = 2.0  # Making Data Count: the two-sigma lines of the two-of-three rule


def c4(n: np.ndarray) -> np.ndarray:
    """Bias correction of the sample standard deviation for subgroups of size n (Montgomery
    Appendix VI): E[s] = c4(n) * sigma. NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n >= 2
    m = n[ok]
    out[ok] = np.sqrt(2.0 / (m - 1)) * np.exp(gammaln(m / 2) - gammaln((m - 1) / 2))
    return out
