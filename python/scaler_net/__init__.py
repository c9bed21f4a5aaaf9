"""The Python side of Scaler.NET: runs Python tasks for Scaler.NET workers and the Scaler.NET Symphony service.

Nothing here needs the reference ``scaler`` package; ``cloudpickle`` is required and ``tblib`` is used when present.
"""
