"""Lists the command line prints (keys, workspaces): their first column is an id that another
command takes (`keys revoke ID`, `--workspace ID`), so no cell is ever cut, however narrow the
terminal. A table when every cell fits on one line; otherwise a block per row: the id on a line of
its own, then a line per field."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

GAP = 2  # between the table's columns: a cell's padding on each side


def print_listing(console: Console, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]
    if sum(widths) + GAP * (len(columns) - 1) <= console.width:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in columns:
            table.add_column(column, no_wrap=True)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        return
    for row in rows:
        console.print(Text(row[0], style="bold"), soft_wrap=True)
        fields = Table.grid(padding=(0, 2))
        fields.add_column(no_wrap=True)
        fields.add_column(overflow="fold")
        for column, cell in zip(columns[1:], row[1:], strict=True):
            fields.add_row(column, Text(cell))
        console.print(Padding(fields, (0, 0, 0, 2), expand=False), soft_wrap=False)
