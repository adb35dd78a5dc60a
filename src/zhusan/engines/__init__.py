"""Internal: the engines that read a table into the frame contract (``engines.frame``).

The reference engine validates every row with pydantic; the fast engine checks whole columns
and asks pydantic only about flagged rows. Imports ``zhusan.model`` and ``zhusan.files``.
"""
