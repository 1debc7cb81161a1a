"""The Streamlit side shared by every page: cached queries keyed on the warehouse
version, the view state in the URL, the sidebar filters, breadcrumbs, KPI tiles,
tables with downloads, empty states, and errors shown as messages.
"""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.data import tables
from dashboards.state import Drill, Filters, breadcrumbs, view_params
from lakehouse.errors import OnhandError
from lakehouse.warehouse import WarehouseMissing, version
from lakehouse.workspace import Workspace

log = logging.getLogger("onhand.dashboards")
_SAVED = "onhand_view"  # session key: the last view, restored when navigation clears the URL


def warehouse() -> Path:
    return Workspace.resolve().warehouse


# --- cached reads ----------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=512)
def _cached(version_key: str, module: str, name: str, path: Path, args: tuple, kwargs: tuple) -> Any:
    function = getattr(importlib.import_module(module), name)
    return function(path, *args, **dict(kwargs))


def load(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(warehouse, *args)`` cached until the warehouse file is swapped for a new build."""
    path = warehouse()
    return _cached(version(path).key, function.__module__, function.__name__, path, args,
                   tuple(sorted(kwargs.items())))


def has(*names: str) -> bool:
    """Whether the warehouse has all these ``schema.table`` relations."""
    return set(names) <= load(tables)


# --- the view in the URL ---------------------------------------------------------------

def view() -> tuple[Filters, Drill]:
    """The view's state from the URL; after a page switch that cleared it, the last one."""
    params = {key: st.query_params.get(key) for key in st.query_params}
    if not params and _SAVED in st.session_state:
        params = st.session_state[_SAVED]
        st.query_params.from_dict(params)
    return Filters.from_params(params), Drill.from_params(params)


def go(filters: Filters, drill: Drill, page: Any = None) -> None:
    """Show another view (on another page, if given): the URL and the session follow."""
    params = view_params(filters, drill)
    st.session_state[_SAVED] = params
    if page is not None:
        st.switch_page(page, query_params=params)
    st.query_params.from_dict(params)
    st.rerun()


def sidebar_filters(filters: Filters, drill: Drill) -> Filters:
    """The global filters; a change rewrites the URL (and keeps the drill path where it still applies).

    The URL is the truth. Each widget's key carries the value it was drawn with, so when the URL
    changes under it (a drill-down, a breadcrumb, a pasted link) the widget is drawn anew from
    the URL instead of keeping its old state.
    """
    sidebar = st.sidebar
    sidebar.markdown("### Filters")
    all_sites, all_categories, all_classes = "All sites", "All categories", "All classes"
    site_options = [all_sites, *load(queries.sites)]
    shown = filters.site if filters.site in site_options else all_sites
    site = sidebar.selectbox("Site", site_options, index=site_options.index(shown), key=f"f_site:{shown}",
                             help="Narrows every page to one site.")
    cat_options = [all_categories, *load(queries.categories)]
    shown = filters.category if filters.category in cat_options else all_categories
    category = sidebar.selectbox("Category", cat_options, index=cat_options.index(shown), key=f"f_cat:{shown}")
    abc = None
    if has("marts.mart_abc_xyz"):
        abc_options = [all_classes, "A", "B", "C"]
        shown = filters.abc if filters.abc in abc_options else all_classes
        abc = sidebar.selectbox("ABC class", abc_options, index=abc_options.index(shown), key=f"f_abc:{shown}",
                                help="By annual consumption value, per item and site.")
    first, last = load(queries.ledger_days)
    months = _months(first, last)
    period = (filters.month_from if filters.month_from in months else months[0],
              filters.month_to if filters.month_to in months else months[-1])
    month_from, month_to = sidebar.select_slider("Period", options=months, value=period,
                                                 key=f"f_period:{period}", help="Months shown in trends and lists.")
    day = filters.as_of if filters.as_of and first <= filters.as_of <= last else last
    as_of = sidebar.date_input("Stock as of", value=day, min_value=first, max_value=last, key=f"f_as_of:{day}",
                               help="Stock and value at the end of this day (default: the last day in the ledger).")
    chosen = Filters(
        site=None if site == all_sites else site,
        category=None if category == all_categories else category,
        abc=None if abc in (None, all_classes) else abc,
        month_from=None if month_from == months[0] else month_from,
        month_to=None if month_to == months[-1] else month_to,
        as_of=None if as_of == last else as_of,
    )
    if chosen != filters:
        go(chosen, drill if chosen.site == filters.site else Drill())
    return chosen


def _months(first: date, last: date) -> list[str]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def breadcrumb_bar(filters: Filters, drill: Drill, page: Any = None) -> None:
    """Company > Site > Item > ...: each step a button that goes back up to it."""
    crumbs = breadcrumbs(filters, drill)
    with st.container(horizontal=True):
        for index, (label, crumb_filters, crumb_drill) in enumerate(crumbs):
            last = index == len(crumbs) - 1
            if st.button(("› " if index else "") + label, key=f"crumb-{index}", disabled=last, width="content",
                         type="tertiary" if last else "secondary"):
                go(crumb_filters, crumb_drill, page)


# --- display ---------------------------------------------------------------------------

def header(title: str, what: str, filters: Filters | None = None) -> None:
    st.title(title)
    caption = what
    if filters is not None:
        caption += f"  ·  {filters.describe()}"
    st.caption(caption)


def empty(message: str) -> None:
    """Say why there is nothing to show and what would fill it, instead of a blank chart."""
    st.info(message, icon=":material/info:")


def needs(*relations: str, stage: str) -> bool:
    """True if the warehouse has ``relations``; else explain which stage produces them."""
    if has(*relations):
        return True
    empty(f"This page reads {', '.join(relations)}, which this warehouse does not have yet. "
          f"Run `{stage}` to produce it.")
    return False


_MONEY = ("value", "cost", "amount", "cogs", "variance", "exposure")
_RATE = ("rate", "accuracy", "share", "pct", "mape", "wape", "bias", "fill")


def _column_config(frame: pl.DataFrame, money_symbol: str) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        lower = name.lower()
        label = _label(name)
        if not dtype.is_numeric():
            config[name] = st.column_config.Column(label, help=name)
        elif any(word in lower for word in _RATE):
            config[name] = st.column_config.NumberColumn(label, help=name,
                                                         format="%.1f%%" if "pct" in lower else "percent")
        elif any(word in lower for word in _MONEY) and "qty" not in lower:
            config[name] = st.column_config.NumberColumn(label, help=name, format=f"{money_symbol} %,.2f")
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(label, help=name, format="localized")
        else:
            config[name] = st.column_config.NumberColumn(label, help=name, format="%,.2f")
    return config


def _label(column: str) -> str:
    """A column's header for people ('qty_on_hand' -> 'Qty on hand'); the mart's name is its tooltip,
    and downloads keep the mart's names."""
    words = column.replace("_", " ").split()
    fixed = {"id": "ID", "uom": "UoM", "pct": "%", "qty": "Qty", "abc": "ABC", "xyz": "XYZ", "sd": "SD",
             "eoq": "EOQ", "moq": "MOQ", "cv": "CV", "mape": "MAPE", "wape": "WAPE", "p90": "P90", "p99": "P99"}
    text = " ".join(fixed.get(word, word) for word in words)
    return text[:1].upper() + text[1:]


def table(frame: pl.DataFrame, *, key: str, select: str | None = None, height: int | None = None,
          download: str | None = None) -> dict[str, Any] | None:
    """A formatted table with CSV and Excel downloads.

    With ``select`` (a column holding a stable id), a clicked row is returned as a dict,
    resolved from the row position to that id, so a re-sorted table never acts on the
    wrong row.
    """
    if frame.is_empty():
        empty("No rows for this view: widen the filters or the period.")
        return None
    frame = frame.with_columns(  # evidence lists as 'id; id' text: readable, and CSV can hold them
        pl.col(name).cast(pl.List(pl.Utf8)).list.join("; ")
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.List))
    shown = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))  # display only; downloads stay exact
    event = st.dataframe(
        shown, key=key, hide_index=True, height=height or "auto",
        column_config=_column_config(frame, "€"),
        on_select="rerun" if select else "ignore", selection_mode="single-row",
        width="stretch",
    )
    if download:
        left, right, _ = st.columns([1, 1, 4])
        # Deferred: the file is made when clicked, not on every rerun of the page.
        left.download_button("CSV", lambda: frame.write_csv(), file_name=f"{download}.csv", mime="text/csv",
                             key=f"{key}-csv", icon=":material/download:", on_click="ignore")
        right.download_button("Excel", lambda: excel(frame, download), file_name=f"{download}.xlsx",
                              key=f"{key}-xlsx", on_click="ignore", icon=":material/download:",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if select and event and event.selection.rows:
        position = event.selection.rows[0]
        chosen = shown[select][position]
        return frame.filter(pl.col(select) == chosen).row(0, named=True)
    return None


def excel(frame: pl.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()


def chart(figure: Any, *, key: str, select: bool = False) -> list[dict[str, Any]]:
    """A Plotly chart; with ``select``, the clicked or box-selected points (with their customdata)."""
    if not select:
        st.plotly_chart(figure, key=key, width="stretch", config={"displaylogo": False})
        return []
    event = st.plotly_chart(figure, key=key, on_select="rerun", selection_mode=("points", "box"),
                            width="stretch", config={"displaylogo": False})
    return list(event.selection.points) if event and event.selection else []


@contextmanager
def page_guard() -> Iterator[None]:
    """Errors become messages a person can act on, never a traceback."""
    try:
        yield
    except WarehouseMissing as error:
        st.warning(f"No warehouse to show yet. {error.fix}.", icon=":material/database:")
    except OnhandError as error:
        st.error(str(error), icon=":material/error:")
    except Exception as error:  # the last line of defence of a page (reruns are BaseException)
        log.exception("page failed")
        st.error(f"This view could not be shown ({type(error).__name__}: {error}). The rest of the app "
                 "works; try widening the filters, or report this message.", icon=":material/error:")


INVENTORY_PAGE = "app_pages/inventory.py"


def open_item(filters: Filters, item_id: str, site_id: str | None = None) -> None:
    """Drill from any page into an item's stock, ledger lines and documents."""
    site = site_id if site_id and site_id != "ALL" else filters.site
    go(replace(filters, site=site), Drill(item=item_id), page=INVENTORY_PAGE)


def open_movement(filters: Filters, movement_key: str) -> None:
    """Drill from any page to one ledger line and its source document."""
    go(filters, Drill(movement=movement_key), page=INVENTORY_PAGE)


def first_id(text: str | None) -> str | None:
    """The first id of an evidence list ('M1;M2' or 'M1, M2')."""
    if not text:
        return None
    return text.replace(",", ";").split(";")[0].strip() or None
