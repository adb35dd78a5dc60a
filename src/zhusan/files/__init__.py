"""Internal: the files layer: descriptor, safe paths, hashes, blocks, seeds, remote, outputs.

Imports only ``zhusan.model``.
"""
