"""The shape every catalog tab shares: a table of rows, a form to add or edit one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.table_model import Column, RowsModel
from desk.ui.widgets.common import Card, InlineMessage, button, confirm, label
from desk.ui.widgets.tables import selected_row, table

T = TypeVar("T")
Work = Callable[[Session], Any]


class EditorTab(QWidget, Generic[T]):
    """Subclasses give columns, a loader, and build/fill/save the form."""

    loaded = Signal(int)
    saved = Signal(object)

    title = ""
    noun = "item"
    area = worker.CATALOG

    def __init__(self, ctx: DeskContext, columns: Sequence[Column[T]], parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editing: T | None = None
        self.has_loaded = False
        self.rows = RowsModel(columns, self)
        self.table = table(self.rows)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.message = InlineMessage()
        self.form = QFormLayout()
        self.form.setVerticalSpacing(8)
        self.form_title = label(f"New {self.noun}", role="h2")
        self.save_button = button("Add", kind="primary", on_click=self.save)
        self.new_button = button(f"New {self.noun}", on_click=self.start_new)
        self.toggle_button = button("Deactivate", on_click=self.toggle)
        self.toggle_button.setEnabled(False)
        card = Card()
        card.setMinimumWidth(340)
        card.setMaximumWidth(440)
        card.body.addWidget(self.form_title)
        card.body.addLayout(self.form)
        card.body.addWidget(self.message)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        card.body.addLayout(actions)
        card.body.addStretch(1)
        left = self.left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.toggle_button)
        top.addStretch(1)
        left.addLayout(top)
        left.addWidget(self.table, 1)
        self.hint = label("", role="muted", wrap=True)
        left.addWidget(self.hint)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addLayout(left, 1)
        layout.addWidget(card)
        ctx.background.changed.connect(self._changed)

    # -- for subclasses -----------------------------------------------------------------------

    def load(self, session: Session) -> list[T]:
        raise NotImplementedError

    def fill(self, row: T | None) -> None:
        raise NotImplementedError

    def save_work(self, row: T | None) -> Work:
        raise NotImplementedError

    def toggle_work(self, row: T) -> Work | None:
        return None

    def is_active(self, row: T) -> bool:
        return bool(getattr(row, "active", True))

    def after_load(self, rows: list[T]) -> None:
        self.hint.setText("" if rows else f"No {self.noun}s yet: fill the form to add one.")

    # -- behaviour ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.ctx.background.read(self.load, owner=self).success(self._show).failure(
            self.message.show_error
        ).run()

    def _show(self, rows: list[T]) -> None:
        keep = getattr(self.editing, "id", None)
        self.rows.set_rows(rows)
        self.has_loaded = True
        self.after_load(rows)
        if keep is not None:
            self.editing = next((r for r in rows if getattr(r, "id", None) == keep), None)
        self.loaded.emit(len(rows))

    def _changed(self, areas: frozenset[str]) -> None:
        if self.area in areas:
            self.refresh()

    def _selected(self) -> None:
        row = selected_row(self.table)
        if row is None:
            return
        self.editing = row
        self.form_title.setText(f"Edit {self.noun}")
        self.save_button.setText("Save")
        self.message.clear_message()
        self.toggle_button.setEnabled(self.toggle_work(row) is not None)
        self.toggle_button.setText("Deactivate" if self.is_active(row) else "Reactivate")
        self.fill(row)

    def start_new(self) -> None:
        self.editing = None
        self.table.clearSelection()
        self.form_title.setText(f"New {self.noun}")
        self.save_button.setText("Add")
        self.toggle_button.setEnabled(False)
        self.message.clear_message()
        self.fill(None)

    def select(self, predicate: Callable[[T], bool]) -> None:
        for index, row in enumerate(self.rows.rows):
            if predicate(row):
                self.table.selectRow(index)
                return
        raise LookupError(self.noun)

    def save(self) -> None:
        self.message.clear_message()
        try:
            work = self.save_work(self.editing)
        except ValueError as error:
            self.message.show_error(str(error))
            return
        self._run(work, "Saved.")

    def toggle_question(self, row: T) -> str:
        """What staff confirm before (de)activating; reactivating needs no question."""
        if not self.is_active(row):
            return ""
        return (
            f"Deactivate this {self.noun}? It disappears from new bookings and sales; "
            "history is kept and you can reactivate it later."
        )

    def toggle(self) -> None:
        if self.editing is None:
            return
        work = self.toggle_work(self.editing)
        question = self.toggle_question(self.editing)
        if question and not confirm(self, self.toggle_button.text(), question, action="Yes"):
            return
        if work is not None:
            self._run(work, "Done.")

    def _run(self, work: Work, done: str) -> None:
        self.save_button.setEnabled(False)

        def finished(value: Any) -> None:
            self.save_button.setEnabled(True)
            if self.editing is None:
                self.fill(None)
            self.message.show_ok(done)
            self.saved.emit(value)

        def refused(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.message.show_error(error)

        self.ctx.background.write(work, changes=[self.area], owner=self).success(finished).failure(
            refused
        ).run()
