"""Analyses of results: sensitivity indices, paired comparisons."""

from munisim.analysis.compare import compare_samples, paired_difference
from munisim.analysis.sensitivity import morris_indices, sensitivity, sobol_indices

__all__ = ["compare_samples", "morris_indices", "paired_difference", "sensitivity", "sobol_indices"]
