"""What every ``list`` command shares: its paging options and how it prints one page or all."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

from ..models import DEFAULT_PER_PAGE, MAX_PER_PAGE, Page
from ._output import print_json, print_json_array, print_json_lines
from ._parser import whole_number

FetchPage = Callable[[int, int], Page[Any]]
"""``fetch(page, per_page)``: one page of the listing with the command's filters."""


def add_paging_options(listing: argparse.ArgumentParser, noun: str) -> None:
    """``--page`` or ``--all``, ``--per-page`` and ``--format`` for a listing of ``noun``."""
    pages = listing.add_mutually_exclusive_group()
    pages.add_argument("--page", type=whole_number, default=1, help="the page to print")
    pages.add_argument("--all", action="store_true", help="print every page")
    listing.add_argument(
        "--per-page",
        type=whole_number,
        default=None,
        help=f"{noun}s per page, 1-{MAX_PER_PAGE} (default: {DEFAULT_PER_PAGE}; "
        f"{MAX_PER_PAGE} per fetch with --all)",
    )
    listing.add_argument(
        "--format",
        dest="output_format",
        choices=["json", "jsonl"],
        default="json",
        help=f"json: the page object, or one array with --all; jsonl: one {noun} per line",
    )


def print_listing(args: argparse.Namespace, fetch: FetchPage) -> None:
    """The page asked for, or with ``--all`` every page as it is fetched, in the format asked."""
    if args.all:
        items: Any = _every_item(fetch, MAX_PER_PAGE if args.per_page is None else args.per_page)
        (print_json_lines if args.output_format == "jsonl" else print_json_array)(items)
        return
    page = fetch(args.page, DEFAULT_PER_PAGE if args.per_page is None else args.per_page)
    if args.output_format == "jsonl":
        print_json_lines(page.items)
    else:
        print_json(page)


def _every_item(fetch: FetchPage, per_page: int) -> Iterator[Any]:
    """Every page in turn, fetched only as the output is written."""
    number = 1
    while True:
        page = fetch(number, per_page)
        yield from page.items
        if not page.items or number >= page.total_pages:
            return
        number += 1
