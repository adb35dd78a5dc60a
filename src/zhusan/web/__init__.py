"""Internal: the static report site (``zhusan report``). Imports the layers below ``build``."""
