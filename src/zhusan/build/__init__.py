"""Internal: every file ``zhusan schema`` generates, and the check that none has drifted.

Imports the layers below, ``outputs`` included.
"""
