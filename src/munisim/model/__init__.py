"""Engine-free pieces of the daily model: schedules, parameter draws, noise, rationing.

Both engines import this package and never each other.  Everything here is a
pure function of the scenario, the seed and the replicate block, so the two
engines consume exactly the same numbers.
"""

from munisim.model.inputs import BlockInputs, build_block
from munisim.model.outputs import Trajectories

__all__ = ["BlockInputs", "Trajectories", "build_block"]
