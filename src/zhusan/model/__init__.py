"""Internal: the model layer, the one definition of a valid package.

Field types and vocabularies, partial dates, the table models and their row rules, intervals,
Table Schema, cells, problems and the validation report. It imports nothing else of zhusan;
every other layer imports it.
"""
