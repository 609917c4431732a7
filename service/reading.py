"""Reading a document: the one public way, always in an isolated reader process under limits.

The API, `poecheck check`, `poecheck inspect`, eval and batch tasks all read through `read_document`;
the in-process readers (service.ingest.dispatch) run only inside the reader process and in fuzzing.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from service.isolation import default_pool, start_forked

if TYPE_CHECKING:  # `poecheck check` starts its reader before pydantic loads
    from models import Document
    from service.config import Settings


def read_document(path: Path, *, settings: Settings, display_name: str | None = None,
                  on_page: Callable[[int, int], None] | None = None) -> Document:
    """The Document of the file at `path`, read in an isolated reader (service.isolation): a crash, an overrun
    limit or a hang is a typed error (`parser_crashed`, `parser_memory`, `parser_timeout`). `on_page` is told
    (pages read, pages) of the file itself while it is read (a PDF's or image's page count as soon as it is
    opened), in the calling thread."""
    return default_pool().parse(path, settings=settings, display_name=display_name, on_page=on_page).unwrap()


def read_ahead(path: Path, *, settings: Settings, display_name: str | None = None) -> None:
    """Have an idle reader start on the file at `path` now; read_document with the same arguments (and no on_page)
    then takes its document. For a caller with work of its own before it needs the document (`poecheck check`
    loads the checks meanwhile): the reader reads instead of loading every reader it might need."""
    default_pool().send_ahead(path, settings=settings, display_name=display_name)


def reading_settings(settings: Settings, *, keeping: bool) -> Settings:
    """The settings a check reads its files with: page images only when a store keeps the report (`keeping`)."""
    return settings if keeping else settings.model_copy(update={"page_images": False})


def start_reader(count: int = 1) -> None:
    """Start `count` reader processes now, so that they load while the caller does other work."""
    default_pool().warm(count)


def start_command_reader(expect: Sequence[str] = ()) -> None:
    """A command's first reader, started before anything else loads: forked from this process, which holds no
    thread yet (service.isolation.start_forked)."""
    start_forked(expect)
