"""Internal: checks across rows and tables (keys, names, quotes, intervals, links, consistency).

They read the frames the engines give. Imports ``model``, ``files`` and ``engines``.
"""
