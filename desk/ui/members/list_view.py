"""The Members page: find a member on the left, their profile on the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.services import members
from desk.services.members import MemberProfile
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.members.dialogs import MemberDialog, open_dialog
from desk.ui.members.models import member_list_model
from desk.ui.members.profile import ProfileView
from desk.ui.table_model import ROW_ROLE
from desk.ui.widgets.common import EmptyState, button, label
from desk.ui.widgets.tables import table

SEARCH_LIMIT = 50
EVERYONE_LIMIT = 200


def _everyone(session: Session) -> tuple[list[MemberProfile], int]:
    return members.list_members(session, limit=EVERYONE_LIMIT), members.count_members(session)


class MembersPage(QWidget):
    results_shown = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._asked = 0
        self.dialog: QWidget | None = None
        self.search = QLineEdit()
        self.search.setObjectName("MemberSearch")
        self.search.setPlaceholderText("Search by name or phone…")
        self.search.setClearButtonEnabled(True)
        self.rows = member_list_model(ctx.studio_tz, self)
        self.list = table(self.rows)
        self.list.setObjectName("MemberList")
        for hidden in (2, 3, 4):
            self.list.hideColumn(hidden)
        header = self.list.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.list.activated.connect(self._open_index)
        self.list.clicked.connect(self._open_index)
        self.list_hint = label("", role="muted", wrap=True)
        self.new_button = button("New member", kind="primary", on_click=self.new_member)
        self.new_button.setVisible(ctx.who.may_manage_members)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(label("Members", role="h1"))
        head.addStretch(1)
        head.addWidget(self.new_button)
        column.addLayout(head)
        column.addWidget(self.search)
        column.addWidget(self.list, 1)
        column.addWidget(self.list_hint)
        self.profile = ProfileView(ctx)
        self.nobody = EmptyState(
            "Pick a member",
            "Search by name or phone on the left (Ctrl+K works anywhere), or add a new member.",
        )
        self.right = QStackedWidget()
        self.right.addWidget(self.nobody)
        self.right.addWidget(self.profile)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 900])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(splitter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._open_first)
        ctx.background.changed.connect(self._changed)
        self._show_hint()

    def activate(self) -> None:
        self.search.setFocus()
        if not self.search.text().strip():
            self._search()

    def _show_hint(self) -> None:
        if not self.search.text().strip():
            self.list_hint.setText("Type a name or a phone number to find a member.")

    def _search(self) -> None:
        text = self.search.text().strip()
        self._asked += 1
        asked = self._asked
        if not text:
            self.ctx.background.read(_everyone, owner=self).success(
                lambda found: self._show_everyone(asked, *found)
            ).run()
            return
        self.ctx.background.read(
            lambda s: members.search(s, text, limit=SEARCH_LIMIT), owner=self
        ).success(lambda found: self._show(asked, text, found)).run()

    def _show_everyone(self, asked: int, everyone: list[MemberProfile], total: int) -> None:
        if asked != self._asked:
            return
        self.rows.set_rows(everyone)
        if not total:
            self.list_hint.setText("No members yet — use “New member” to add the first one.")
        elif total > len(everyone):
            self.list_hint.setText(
                f"{len(everyone)} of {total} members, A–Z. Type a name or phone to find others."
            )
        else:
            self.list_hint.setText(f"{total} member(s), A–Z.")
        self.results_shown.emit(len(everyone))

    def _show(self, asked: int, text: str, found: list[MemberProfile]) -> None:
        if asked != self._asked:
            return
        self.rows.set_rows(found)
        if not found:
            hint = f"No member matches “{text}”. Check the spelling or add a new member."
        elif len(found) >= SEARCH_LIMIT:
            hint = f"First {len(found)} members — keep typing to narrow."
        else:
            hint = f"{len(found)} member(s)"
        self.list_hint.setText(hint)
        self.results_shown.emit(len(found))

    def _changed(self, areas: frozenset[str]) -> None:
        if worker.MEMBERS in areas:
            self._timer.start()

    def _open_index(self, index: QModelIndex) -> None:
        member = index.data(ROW_ROLE)
        if member is not None:
            self.open_member(member.id)

    def _open_first(self) -> None:
        if self.rows.rowCount():
            self.open_member(self.rows.row(0).id)

    def open_member(self, member_id: int) -> None:
        self.right.setCurrentWidget(self.profile)
        self.profile.show_member(member_id)

    def new_member(self) -> MemberDialog:
        dialog = MemberDialog(self.ctx, None, self)
        dialog.done.connect(lambda m: self.open_member(m.id))
        self.dialog = open_dialog(dialog)
        return dialog
