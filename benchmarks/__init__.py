"""Benchmarks of vdm-resources against AWS's rate-limit floor (see ``benchmarks/run.py``)."""
