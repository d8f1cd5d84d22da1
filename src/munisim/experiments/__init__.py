"""Sweeps over scenario inputs: designs, factor application, chunked execution, resume."""
