"""Lunar surface potential from Lunar Prospector Electron Reflectometer (ER) 3D spectra.

Modules: :mod:`.instrument` (ER look directions, solid angles, count conversion), :mod:`.er3d`
(reader of the daily ``3DYYMMDD.TAB`` files), :mod:`.kernels` and :mod:`.geometry` (SPICE),
:mod:`.kappa` and :mod:`.charging` (spacecraft potential), :mod:`.losscone` (surface
potential), :mod:`.month` (one month of spectra to one table), :mod:`.demo` (deterministic demo
data with truth), :mod:`.evaluation` (accuracy against that truth), :mod:`.plots`.
"""
