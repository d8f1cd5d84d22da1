"""The vectorised NumPy engine: loops over days, vectorised over replicates."""

from munisim.engines.vector.engine import run_vector

__all__ = ["run_vector"]
