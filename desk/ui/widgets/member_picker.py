"""Find a member by typing part of a name or phone: used by global search, rosters and PT."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desk.services import members
from desk.services.members import MemberProfile
from desk.ui.widgets.common import label
from desk.ui.worker import Background

DEBOUNCE_MS = 150


class MemberPicker(QWidget):
    """Search-as-you-type. Enter or a click picks; Down moves from the field into the list."""

    picked = Signal(object)
    #: The results for the text typed last have arrived (tests wait on this).
    results_shown = Signal(int)

    def __init__(
        self,
        background: Background,
        *,
        placeholder: str = "Name or phone…",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.background = background
        self._asked = 0
        self.query = QLineEdit()
        self.query.setPlaceholderText(placeholder)
        self.query.setClearButtonEnabled(True)
        self.query.setObjectName("MemberQuery")
        self.results = QListWidget()
        self.results.setObjectName("MemberResults")
        self.results.setUniformItemSizes(True)
        self.hint = label("Type a name or a phone number.", role="muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.query)
        layout.addWidget(self.hint)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._pick_current)
        self.results.hide()
        self.query.installEventFilter(self)
        self.results.itemActivated.connect(self._pick_item)
        self.results.itemClicked.connect(self._pick_item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.results.count():
                self.results.setFocus()
                self.results.setCurrentRow(max(0, self.results.currentRow()))
                return True
        return super().eventFilter(watched, event)

    def focus(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    def reset(self) -> None:
        self.query.clear()
        self.results.clear()
        self.results.hide()
        self.hint.setText("Type a name or a phone number.")
        self.hint.show()

    def _search(self) -> None:
        text = self.query.text().strip()
        self._asked += 1
        asked = self._asked
        if not text:
            self.reset()
            self.results_shown.emit(0)
            return
        self.background.read(lambda s: members.search(s, text, limit=15), owner=self).success(
            lambda found: self._show(asked, text, found)
        ).run()

    def _show(self, asked: int, text: str, found: list[MemberProfile]) -> None:
        if asked != self._asked:
            return  # the receptionist kept typing; a newer search is on its way
        self.results.clear()
        for member in found:
            phone = f"   {member.phone_display}" if member.phone else ""
            item = QListWidgetItem(f"{member.full_name}{phone}")
            item.setData(Qt.ItemDataRole.UserRole, member)
            self.results.addItem(item)
        self.results.setVisible(bool(found))
        if found:
            self.results.setCurrentRow(0)
            self.hint.hide()
        else:
            self.hint.setText(f"No member matches “{text}”.")
            self.hint.show()
        self.results_shown.emit(len(found))

    def _pick_current(self) -> None:
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self._pick_item(item)

    def _pick_item(self, item: QListWidgetItem) -> None:
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole))
