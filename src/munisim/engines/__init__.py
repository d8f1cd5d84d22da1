"""Simulation engines.  ``des``: the SimPy reference; ``vector``: NumPy over replicates.

The two engines implement docs/model.md and never import each other; both
take a validated scenario and :class:`~munisim.model.inputs.BlockInputs` and
return :class:`~munisim.model.outputs.Trajectories`.
"""

ENGINES = ("des", "vector")

__all__ = ["ENGINES"]
