"""Shared drill engine: fixed-timestep loop, input scripts, scenes and display."""
