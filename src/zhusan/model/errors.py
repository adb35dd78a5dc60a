"""The error codes a validation report can hold: one registry, read by the code and the docs.

Each code has the exit code it leads to, its meaning and an example message. The table of
error codes in ``docs/validation.md`` and the ``enum`` of ``code`` in the report's JSON Schema
are generated from ``CODES``; a problem with a code not listed here cannot be made.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Exit codes of every command: valid, invalid, unusable input, internal error (a bug).
EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(frozen=True)
class ErrorCode:
    """One kind of problem: its code, the exit code it leads to, what it means, an example."""

    code: str
    meaning: str
    example: str
    exit: int = EXIT_INVALID


CODES: dict[str, ErrorCode] = {
    e.code: e
    for e in (
        ErrorCode(
            "cell-error",
            "a cell breaks its field's type, vocabulary, pattern, length or bound "
            "(pydantic's message)",
            "dataset/figures.csv row 14 field unit: [cell-error] Input should be 'persons', ...",
        ),
        ErrorCode(
            "row-rule",
            "a row breaks a rule across its fields (lower above upper, `stated` not in `quote`, "
            "...); the rules are declared once per table and read by every engine",
            "dataset/figures.csv row 9: [row-rule] Value error, lower 600 is above upper 540",
        ),
        ErrorCode(
            "missing-column",
            "a column of the schema is missing from the header (row 1)",
            "dataset/people.csv row 1 field naming: [missing-column] column is missing from the "
            "header",
        ),
        ErrorCode(
            "extra-column",
            "the header has a column the schema does not (row 1)",
            "dataset/people.csv row 1 field age: [extra-column] column is not in the schema",
        ),
        ErrorCode(
            "duplicate-column",
            "the header names a column twice (row 1)",
            "dataset/people.csv row 1 field name: [duplicate-column] column appears twice in "
            "the header",
        ),
        ErrorCode(
            "row-width",
            "a record has more or fewer cells than the header",
            "dataset/places.csv row 7: [row-width] row has 6 cells, the header has 7",
        ),
        ErrorCode(
            "csv-syntax",
            "the CSV cannot be parsed after the named row (a stray quote, say)",
            "dataset/places.csv row 8: [csv-syntax] unreadable CSV after row 7: ...",
        ),
        ErrorCode(
            "encoding",
            "bytes that are not UTF-8; the value shows them as U+FFFD, and the rows after it "
            "are read",
            "dataset/places.csv row 5 field name: [encoding] not UTF-8: save the file as UTF-8",
        ),
        ErrorCode(
            "empty-file",
            "the file has no header row",
            "dataset/roles.csv: [empty-file] the file is empty (no header row)",
        ),
        ErrorCode(
            "record-too-long",
            "a line longer than 16 MiB: the table is refused unread",
            "dataset/figures.csv: [record-too-long] a line is longer than 16777216 bytes: the "
            "table is refused unread",
        ),
        ErrorCode(
            "too-many-columns",
            "a header of more than 1,024 columns: the table is refused unread",
            "dataset/figures.csv row 1: [too-many-columns] the header has 5000 columns, ...",
        ),
        ErrorCode(
            "primary-key",
            "a primary key repeats an earlier row's",
            "dataset/figures.csv row 30 field figure_id: [primary-key] 'wsj-01' repeats row 12",
        ),
        ErrorCode(
            "foreign-key",
            "a reference to a row that does not exist",
            "dataset/figures.csv row 14 field source_id: [foreign-key] 'no-such-source' is not "
            "a source_id in sources",
        ),
        ErrorCode(
            "resource-hash",
            "the file's hash is not the descriptor's (or its algorithm is not supported)",
            "dataset/figures.csv: [resource-hash] sha256 of the file does not match the descriptor",
        ),
        ErrorCode(
            "resource-bytes",
            "the file's size is not the descriptor's",
            "dataset/figures.csv: [resource-bytes] file has 100 bytes, the descriptor says 120",
        ),
        ErrorCode(
            "missing-file",
            "the descriptor names a file that is not there: a partial package (exit 2)",
            "dataset/roles.csv: [missing-file] dataset/roles.csv: no such file",
            EXIT_UNUSABLE,
        ),
        ErrorCode(
            "duplicate-resource",
            "the descriptor names a resource twice; the first is read, the others are not",
            "package: [duplicate-resource] resource 'figures' is named again at resources[9]: "
            "only the first (resources[6]) is read",
        ),
        ErrorCode(
            "descriptor-field",
            "a descriptor field of the wrong type or with a value zhusan does not read "
            "(hash, bytes, encoding, format, dialect)",
            "dataset/figures.csv: [descriptor-field] bytes must be a whole number of zero or "
            "more, not '120'",
        ),
        ErrorCode(
            "resource-schema",
            "a resource's Table Schema differs from the one zhusan validates with (fields, "
            "types, constraints or keys)",
            "dataset/figures.csv: [resource-schema] schema/figures.json differs from the zhusan "
            "schema: field value has type 'string', not 'number'",
        ),
        ErrorCode(
            "missing-resource",
            "the descriptor has no resource for a table of the schema: a partial package (exit 2)",
            "package: [missing-resource] the descriptor has no resource 'roles'",
            EXIT_UNUSABLE,
        ),
        ErrorCode(
            "estimate-mismatch",
            "a row of the derived estimates table that is not what the figures give (run "
            "`zhusan refresh`), or an estimate the figures give that the table lacks",
            "dataset/estimates.csv row 3 field high: [estimate-mismatch] high is 45000, but "
            "the figures give 44000: run `zhusan refresh`",
        ),
        ErrorCode(
            "seed-hash",
            "an archived document does not match the sha256 in sources.csv",
            "dataset/sources.csv row 2 field sha256: [seed-hash] seeds/a.txt does not match its "
            "sha256 (the archived copy changed)",
        ),
        ErrorCode(
            "seed-missing",
            "an archived document is missing, cannot be read, or is reached through a link "
            "(outside the package folder, or a hard link): not read",
            "dataset/sources.csv row 2 field path: [seed-missing] archived source seeds/a.txt "
            "is missing",
        ),
        ErrorCode(
            "seed-too-large",
            "an archived document over 64 MiB: refused unread",
            "dataset/sources.csv row 2 field path: [seed-too-large] archived source seeds/a.txt "
            "has 70000000 bytes, ...",
        ),
        ErrorCode(
            "quote-not-found",
            "a quote is not in its archived document (whitespace runs collapsed)",
            "dataset/figures.csv row 5 field quote: [quote-not-found] quote is not in source "
            "wsj-oneal-op-ed",
        ),
        ErrorCode(
            "duplicate-name",
            "a person, organisation or place under two spellings in two rows",
            "dataset/places.csv row 9 field aliases: [duplicate-name] 'Aqtau' also names "
            "'aktau' (row 4)",
        ),
        ErrorCode(
            "unattested",
            "an event, person, organisation or place that no mention attests",
            "dataset/people.csv row 3 field person_id: [unattested] no mention attests 'x'",
        ),
        ErrorCode(
            "interval-rule",
            "lower, upper or bounds not following the qualifier rule, or a qualifier without "
            "the value it needs",
            "dataset/figures.csv row 6 field upper: [interval-rule] upper is 13.3, but about 12 "
            "gives upper 13.2 (the interval [10.8, 13.2])",
        ),
        ErrorCode(
            "cross-source-link",
            "a breakdown part or subset that points to a figure of another source",
            "dataset/figures.csv row 8 field parent_id: [cross-source-link] parent_id wsj-01 is "
            "from source wsj-oneal-op-ed, not kylym-shamy-report",
        ),
        ErrorCode(
            "parent-cycle",
            "a parent_id (or a figure's subset_of) chain that leads back to where it started: "
            "a thing inside itself",
            "dataset/places.csv row 5 field parent_id: [parent-cycle] parent_id goes round in "
            "a circle: a -> b -> a",
        ),
        ErrorCode(
            "derived-value",
            "a derived figure whose value is not the arithmetic in its stated over the values of "
            "its derived_from (or whose inputs are of another source, or hedged under an exact "
            "result)",
            "dataset/figures.csv row 44 field value: [derived-value] value 38 does not follow "
            "from its inputs: 607 - 157 - 413 = 37",
        ),
        ErrorCode(
            "unexplained-finding",
            "a consistency finding with no discrepancies row to explain it",
            "dataset/figures.csv: [unexplained-finding] [disagreement:a-1+b-2] ...; no "
            "discrepancies row explains it",
        ),
        ErrorCode(
            "stale-discrepancy",
            "a discrepancies row whose finding no longer occurs",
            "dataset/discrepancies.csv row 4 field finding_id: [stale-discrepancy] finding "
            "disagreement:a-1+b-2 no longer occurs",
        ),
        ErrorCode(
            "discrepancy-mismatch",
            "a discrepancies row whose rule or figure_ids do not spell its finding",
            "dataset/discrepancies.csv row 4 field figure_ids: [discrepancy-mismatch] rule and "
            "figure_ids must be disagreement and a-1;b-2",
        ),
    )
}
