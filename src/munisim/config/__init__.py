"""Scenario files: YAML -> frozen, validated pydantic models."""

from munisim.config.figures import Figure, FigureSet
from munisim.config.loader import load_figures, load_scenario
from munisim.config.scenario import Scenario

__all__ = ["Figure", "FigureSet", "Scenario", "load_figures", "load_scenario"]
