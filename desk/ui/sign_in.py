"""Sign in with a staff name and PIN; on a brand-new database, create the owner first."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.domain.enums import StaffRole
from desk.domain.errors import InvalidInput
from desk.services import staff, trainers
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.staff import StaffSession
from desk.ui.context import SignedIn
from desk.ui.widgets.common import InlineMessage, button, label
from desk.ui.worker import Background


def _desk_state(session: Session) -> tuple[str, bool, list[str]]:
    studio = get_policy(session).studio_name
    return studio, staff.needs_first_owner(session), [s.name for s in staff.list_staff(session)]


class SignInDialog(QDialog):
    """Who is at the desk. Every write afterwards is recorded as this person."""

    signed_in = Signal(object)

    def __init__(self, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.background = background
        self.who: SignedIn | None = None
        self.first_owner = False
        self.setWindowTitle("Studio Desk — sign in")
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)
        self.title = label("Studio Desk", role="h1")
        self.subtitle = label("Loading…", role="muted", wrap=True)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setVerticalSpacing(10)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setObjectName("StaffName")
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Your name")
        self.pin = self._pin_field("PIN")
        self.repeat_pin = self._pin_field("Repeat the PIN")
        form.addRow("Name", self.name)
        form.addRow("Name", self.new_name)
        form.addRow("PIN", self.pin)
        form.addRow("Repeat PIN", self.repeat_pin)
        self.form = form
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        self.submit = button("Sign in", kind="primary", on_click=self._submit)
        self.submit.setDefault(True)
        layout.addWidget(self.submit)
        self._show_fields(first_owner=False)
        self.submit.setEnabled(False)
        self.background.read(_desk_state, owner=self).success(self._loaded).failure(
            self.message.show_error
        ).run()

    def _pin_field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), field))
        field.setPlaceholderText(placeholder)
        field.returnPressed.connect(self._submit)
        return field

    def _show_fields(self, *, first_owner: bool) -> None:
        self.first_owner = first_owner
        self.form.setRowVisible(self.name, not first_owner)
        self.form.setRowVisible(self.new_name, first_owner)
        self.form.setRowVisible(self.repeat_pin, first_owner)
        self.submit.setText("Create owner and sign in" if first_owner else "Sign in")

    def _loaded(self, state: tuple[str, bool, list[str]]) -> None:
        studio, first_owner, names = state
        self.title.setText(studio)
        if first_owner:
            self.subtitle.setText(
                "Welcome! This is a new studio database. Create the owner account: "
                "the owner can add reception and trainer accounts later in Settings."
            )
        else:
            self.subtitle.setText("Choose your name and type your PIN.")
        self.name.clear()
        self.name.addItems(names)
        self._show_fields(first_owner=first_owner)
        self.submit.setEnabled(True)
        (self.new_name if first_owner else self.pin).setFocus()

    def _submit(self) -> None:
        if not self.submit.isEnabled():
            return
        self.message.clear_message()
        pin = self.pin.text()
        if self.first_owner:
            name = self.new_name.text()
            if pin != self.repeat_pin.text():
                self.message.show_error("The two PINs are different; type them again.")
                self.pin.clear()
                self.repeat_pin.clear()
                self.pin.setFocus()
                return
            work = _create_owner(name, pin)
        else:
            name = self.name.currentText()
            work = _sign_in(name, pin)
        self.submit.setEnabled(False)
        self.background.write(work, changes=(), owner=self).success(self._accepted).failure(
            self._refused
        ).run()

    def _refused(self, error: BaseException) -> None:
        self.submit.setEnabled(True)
        self.message.show_error(error)
        self.pin.clear()
        self.repeat_pin.clear()
        self.pin.setFocus()

    def _accepted(self, signed_in: SignedIn) -> None:
        self.who = signed_in
        self.signed_in.emit(signed_in)
        self.accept()


def _at_desk(session: Session, signed_in: StaffSession) -> SignedIn:
    trainer = None
    if signed_in.role is StaffRole.TRAINER:
        trainer = trainers.trainer_for_staff_user(session, staff_user_id=signed_in.id)
    return SignedIn(staff=signed_in, trainer_id=trainer.id if trainer else None)


def _sign_in(name: str, pin: str):
    def work(session: Session) -> SignedIn:
        if not pin:
            raise InvalidInput("Type your PIN.")
        return _at_desk(session, staff.sign_in(session, name=name, pin=pin))

    return work


def _create_owner(name: str, pin: str):
    def work(session: Session) -> SignedIn:
        if not staff.needs_first_owner(session):
            raise InvalidInput("An owner already exists; sign in instead.")
        created = staff.create_staff(
            session, name=name, role=StaffRole.OWNER, pin=pin, actor=Actor.system()
        )
        return _at_desk(session, staff.sign_in(session, name=created.name, pin=pin))

    return work
