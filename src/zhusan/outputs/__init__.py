"""Internal: the package in other forms: JSON, JSON Lines, Parquet, SQLite, xlsx, DataFrames.

Imports the layers below (``model``, ``files``, ``engines``, ``checks``).
"""
