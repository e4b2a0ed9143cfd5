"""The one gate every published table passes: small-cell suppression with secondary suppression.

``protect`` takes a table of counts (rows x columns) and returns it as an object-dtype frame in
which every cell below the threshold (zeros included) is shown as ``"<10"`` (primary
suppression) and enough further cells are shown as ``"x"`` (secondary suppression) that no
suppressed cell can be recomputed from the published row and column totals and the cells left
visible.  "Cannot be recomputed" is checked exactly: a suppressed cell is recoverable when it
lies on no cycle of suppressed cells (see ``recoverable_cells``); secondary cells are added
until no suppressed cell is.  The tests check this against an independent linear-algebra attack.

The attacker model: the caller may publish, next to the protected table, the true row totals
(when the table has more than one column), the true column totals (when it has more than one
row) and the grand total.  Totals must be computed by the caller from the original counts
after protection; totals are never suppressed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import small_count

# The one disclosure threshold: officer-level and small-area cells below it are suppressed.
THRESHOLD = 10
PRIMARY = "<{threshold}"
SECONDARY = "x"


def primary_marker(threshold: int = THRESHOLD) -> str:
    """What a cell below the threshold shows: '<10'."""
    return PRIMARY.format(threshold=threshold)


def count_text(n) -> str:
    """A count of people for running text under the disclosure rule: the number, or 'fewer than 10' (zero included)."""
    return small_count(n, THRESHOLD)


# ASSUMPTION(disclosure-exact-recovery): protection is against exact recovery from published row, column and grand totals; narrow bounds on a hidden cell (from non-negativity) and linked tables published elsewhere are not checked.
def recoverable_cells(suppressed: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed cells (row, col) whose value follows from the totals and the visible cells.

    The visible cells are known, so each margin equation reduces to a linear equation in the
    suppressed cells only, and the hidden cells can move only along the null space of that
    system.  For a two-way table with row and column totals that null space is the cycle space
    of the bipartite graph whose nodes are the rows and columns and whose edges are the
    suppressed cells (moving +1/-1 alternately round a cycle keeps every total), so a cell is
    pinned down exactly when its edge lies on no cycle: when it is a bridge.  Bridges are found
    in linear time, which keeps province-sized tables cheap.  In a single row or column only the
    grand total binds: a lone suppressed cell is recoverable.  Non-negativity is not used, so
    interval (bounds) disclosure is not ruled out: only exact recovery is.
    """
    suppressed = np.asarray(suppressed, dtype=bool)
    n_rows, n_cols = suppressed.shape
    cells = [tuple(int(v) for v in rc) for rc in np.argwhere(suppressed)]
    if not cells:
        return []
    if n_rows == 1 or n_cols == 1:
        return cells if len(cells) == 1 else []
    return [cells[e] for e in sorted(_bridges(n_rows + n_cols, [(r, n_rows + c) for r, c in cells]))]


def _bridges(n_nodes: int, edges: list[tuple[int, int]]) -> set[int]:
    """Indices of the bridges of an undirected multigraph (iterative Tarjan low-link)."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for e, (u, v) in enumerate(edges):
        adjacency[u].append((v, e))
        adjacency[v].append((u, e))
    order, low = [-1] * n_nodes, [0] * n_nodes
    bridges, counter = set(), 0
    for root in range(n_nodes):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for nxt, e in neighbours:
                if e == via:
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, e, iter(adjacency[nxt])))
                    advanced = True
                    break
                low[node] = min(low[node], order[nxt])
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.add(via)
    return bridges


def suppression_pattern(counts: np.ndarray, threshold: int = THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (primary, secondary) for a 2-D array of non-negative counts."""
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError("counts must be a 2-D table")
    if np.isnan(counts).any():
        raise ValueError("counts contain missing values; fill them (0 if a true zero) before protecting")
    if (counts < 0).any():
        raise ValueError("counts must be non-negative")
    primary = counts < threshold
    suppressed = primary.copy()
    n_rows, n_cols = counts.shape
    # Each pass makes one leaking cell safe, and adding suppressions never makes a safe cell
    # leak again (the old null-space directions survive), so the loop ends.
    for _ in range(counts.size + 1):
        leaks = recoverable_cells(suppressed)
        if not leaks:
            break
        r, c = leaks[0]
        if n_rows > 1 and n_cols > 1:
            # Complete the cheapest rectangle (r, c), (r, j), (i, c), (i, j): moving +1/-1 around
            # its corners keeps every row and column total, so (r, c) can no longer be pinned down.
            # Cost: the counts newly hidden (already hidden cells cost nothing), +1 per new cell; ties
            # go to the smallest i, then j (argmin's first minimum in row-major order). Whole arrays at
            # once: a province-sized table has thousands of candidate rectangles per leak.
            new_cost = np.where(suppressed, 0.0, counts + 1)
            cost = new_cost[r, :][None, :] + new_cost[:, c][:, None] + new_cost
            cost[r, :] = np.inf
            cost[:, c] = np.inf
            i, j = (int(v) for v in np.unravel_index(np.argmin(cost), cost.shape))
            for x in ((r, j), (i, c), (i, j)):
                suppressed[x] = True
        else:
            # A single row or column: only the grand total binds; hide the smallest other cell.
            line = [(i, j) for i in range(n_rows) for j in range(n_cols) if (i, j) != (r, c) and not suppressed[i, j]]
            if not line:
                raise ValueError("table too small to protect: the total reveals the suppressed cell; do not publish it")
            suppressed[min(line, key=lambda x: (counts[x], x))] = True
    return primary, suppressed & ~primary


def protect(table: pd.DataFrame, threshold: int = THRESHOLD, *, count_columns=None) -> pd.DataFrame:
    """The table with small cells suppressed, as an object-dtype frame ready to show.

    ``count_columns`` names the columns holding counts (default: every numeric column); other
    columns (labels) pass through unchanged.  Primary cells (< ``threshold``, zeros included)
    show ``"<threshold"``, secondary cells ``"x"``; visible counts keep their integer values.
    """
    if count_columns is None:
        count_columns = [
            c
            for c in table.columns
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        ]
    count_columns = list(count_columns)
    missing = [c for c in count_columns if c not in table.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}")
    if not count_columns:
        raise ValueError("no count columns to protect")
    counts = table[count_columns].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    primary, secondary = suppression_pattern(counts, threshold)
    out = table.astype(object).copy()
    for j, col in enumerate(count_columns):
        values = [int(v) if float(v).is_integer() else v for v in counts[:, j]]
        values = [
            primary_marker(threshold) if primary[i, j] else SECONDARY if secondary[i, j] else v
            for i, v in enumerate(values)
        ]
        out[col] = pd.Series(values, index=table.index, dtype=object)
    return out


def protect_rates(counts: pd.DataFrame, denominators: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Rates counts/denominators, with a rate hidden where its denominator is small.

    A rate is suppressed ("<threshold") when its denominator is below ``threshold`` and
    ("x") where secondary suppression of the denominators requires it, so that the small
    denominators cannot be recovered from the denominator totals either.  Visible rates are floats.
    """
    if (
        counts.shape != denominators.shape
        or not counts.index.equals(denominators.index)
        or not counts.columns.equals(denominators.columns)
    ):
        raise ValueError("counts and denominators must have the same rows and columns")
    num = counts.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    den = denominators.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if (num > den).any():
        raise ValueError("a count exceeds its denominator")
    primary, secondary = suppression_pattern(den, threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = num / den
    out = pd.DataFrame(index=counts.index, columns=counts.columns, dtype=object)
    for i in range(rates.shape[0]):
        for j in range(rates.shape[1]):
            out.iat[i, j] = (
                primary_marker(threshold) if primary[i, j] else SECONDARY if secondary[i, j] else float(rates[i, j])
            )
    return out


def is_suppressed(value) -> bool:
    """True for a cell that ``protect`` hid."""
    return isinstance(value, str) and (value == SECONDARY or value.startswith("<"))


def protect_estimates(frame: pd.DataFrame, count: str, estimates=(), threshold: int = THRESHOLD) -> pd.DataFrame:
    """A table of estimates per group whose base count is ``count``: small bases hidden with their estimates.

    The ``count`` column is protected as a one-column table (so a small base cannot be
    recovered from the grand total either) and every estimate column of a row whose count is
    hidden shows the same marker.  Other columns pass through.
    """
    if count not in frame.columns:
        raise KeyError(f"count column {count!r} not in the table")
    protected = protect(frame[[count]], threshold, count_columns=[count])
    out = frame.astype(object).copy()
    out[count] = protected[count]
    hidden = protected[count].map(is_suppressed)
    for col in estimates:
        out[col] = out[col].where(~hidden, protected[count])
    return out
