"""Shapes of real registers that reading row by row gets wrong: a register with one record per
column (a filled template: the field names down the first column), and formula cells, which are
read as the value Excel calculated and kept in the file — never as the formula text.
"""

from functools import cache

from django.utils.translation import gettext as _

from aims.core.imports.proposals import normalize


def transpose(grid: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The grid with rows and columns swapped: the n-th column becomes "row" n."""
    width = max((len(cells) for _number, cells in grid), default=0)
    columns = []
    for column in range(width):
        cells = [cells[column] if column < len(cells) else "" for _number, cells in grid]
        if any(cells):
            columns.append((column + 1, cells))
    return columns


def looks_transposed(grid: list[tuple[int, list[str]]], aliases) -> bool:
    """Whether a sheet's field names run down its first column rather than along a row: the
    first column names at least three of the register's fields, and more than any of the first
    rows does."""
    if aliases is None or not grid:
        return False

    def known(texts):
        return len({aliases.field(normalize(text)) for text in texts if text} - {None})

    down = known(cells[0] for _number, cells in grid if cells)
    along = max(known(cells) for _number, cells in grid[:20])
    return down >= 3 and down > along


# A workbook's formula cell without a calculated value is read as its formula text behind this
# mark (a private-use character no register holds), so that its row reports it; a CSV cell
# starting with "=" is plain text (exported safely, see aims/core/exports.py).
UNCALCULATED = "\ue000"


def refuse_formula(text: str) -> None:
    """ValueError naming a formula whose value the workbook does not keep: it cannot be
    imported, neither as a value nor as its text."""
    if text.startswith(UNCALCULATED):
        raise ValueError(
            _(
                "“%(value)s” is a formula without a calculated value. Open the file in Excel, "
                "let it calculate, save it and upload it again."
            )
            % {"value": text.removeprefix(UNCALCULATED)}
        )


def cached_value_parser(*args, **kwargs):
    """A sheet parser (openpyxl's WorkSheetParser, same arguments) that reads formula cells as
    the values Excel calculated and kept in the file; a formula without one is read as its
    marked text, for `refuse_formula` to report."""
    return _cached_value_parser_class()(*args, **{**kwargs, "data_only": True})


@cache
def _cached_value_parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser  # only for workbooks

    class CachedValueParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = UNCALCULATED + str(self.parse_formula(element))
            return cell

    return CachedValueParser
