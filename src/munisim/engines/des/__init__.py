"""The SimPy discrete-event reference engine (readable first)."""

from munisim.engines.des.engine import run_des

__all__ = ["run_des"]
