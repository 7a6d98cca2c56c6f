"""Services, rooms and products (packages and memberships) — owner only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
)
from sqlalchemy.orm import Session

from desk.domain.enums import ProductKind, ServiceKind
from desk.domain.money import parse_amount
from desk.services import catalog
from desk.services.catalog import ProductView, RoomView, ServiceView
from desk.services.settings import get_policy
from desk.ui.context import DeskContext
from desk.ui.formatting import money
from desk.ui.members.sell_dialog import amount_text
from desk.ui.settings.editor import EditorTab, Work
from desk.ui.table_model import Column


def _active(row) -> str:
    return "Yes" if row.active else "No"


def _spin(low: int, high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    return spin


class ServicesTab(EditorTab[ServiceView]):
    noun = "service"

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(
            ctx,
            [
                Column("Name", lambda s: s.name),
                Column(
                    "Kind", lambda s: "Group class" if s.kind is ServiceKind.GROUP else "Private"
                ),
                Column(
                    "Minutes", lambda s: str(s.duration_minutes), sort=lambda s: s.duration_minutes
                ),
                Column(
                    "Capacity", lambda s: str(s.default_capacity), sort=lambda s: s.default_capacity
                ),
                Column("Active", _active, tone=lambda s: None if s.active else "muted"),
            ],
            parent,
        )
        self.name = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(["Group class", "Private (1:1)"])
        self.minutes = _spin(5, 600, " min")
        self.capacity = _spin(1, 200, " seats")
        self.colour = QLineEdit()
        self.colour.setPlaceholderText("#4F7CAC")
        self.kind.currentIndexChanged.connect(lambda i: self.capacity.setEnabled(i == 0))
        for text, field in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Length", self.minutes),
            ("Capacity", self.capacity),
            ("Colour", self.colour),
        ):
            self.form.addRow(text, field)
        self.fill(None)

    def load(self, session: Session) -> list[ServiceView]:
        return catalog.list_services(session, include_inactive=True)

    def fill(self, row: ServiceView | None) -> None:
        self.name.setText(row.name if row else "")
        self.kind.setCurrentIndex(1 if row and row.kind is ServiceKind.PRIVATE else 0)
        self.kind.setEnabled(row is None)
        self.minutes.setValue(row.duration_minutes if row else 50)
        self.capacity.setValue(row.default_capacity if row else 8)
        self.colour.setText(row.colour if row else "#4F7CAC")

    def save_work(self, row: ServiceView | None) -> Work:
        actor = self.ctx.who.actor
        private = self.kind.currentIndex() == 1
        fields = {
            "name": self.name.text(),
            "duration_minutes": self.minutes.value(),
            "default_capacity": 1 if private else self.capacity.value(),
            "colour": self.colour.text().strip() or "#4F7CAC",
        }
        if row is None:
            kind = ServiceKind.PRIVATE if private else ServiceKind.GROUP
            return lambda s: catalog.create_service(s, kind=kind, actor=actor, **fields)
        return lambda s: catalog.update_service(s, service_id=row.id, actor=actor, **fields)

    def toggle_work(self, row: ServiceView) -> Work:
        actor, active = self.ctx.who.actor, not row.active
        return lambda s: catalog.set_service_active(
            s, service_id=row.id, active=active, actor=actor
        )


class RoomsTab(EditorTab[RoomView]):
    noun = "room"

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(
            ctx,
            [
                Column("Room", lambda r: r.name),
                Column("Active", _active, tone=lambda r: None if r.active else "muted"),
            ],
            parent,
        )
        self.name = QLineEdit()
        self.form.addRow("Name", self.name)

    def load(self, session: Session) -> list[RoomView]:
        return catalog.list_rooms(session, include_inactive=True)

    def fill(self, row: RoomView | None) -> None:
        self.name.setText(row.name if row else "")

    def save_work(self, row: RoomView | None) -> Work:
        actor, name = self.ctx.who.actor, self.name.text()
        if row is None:
            return lambda s: catalog.create_room(s, name=name, actor=actor)
        return lambda s: catalog.rename_room(s, room_id=row.id, name=name, actor=actor)

    def toggle_work(self, row: RoomView) -> Work:
        actor, active = self.ctx.who.actor, not row.active
        return lambda s: catalog.set_room_active(s, room_id=row.id, active=active, actor=actor)


def _product_terms(p: ProductView) -> str:
    if p.kind is ProductKind.PACKAGE:
        what = f"{p.sessions} sessions"
    else:
        what = f"max {p.weekly_cap}/week" if p.weekly_cap else "unlimited"
    return f"{what}, {p.valid_days} days" if p.valid_days else f"{what}, no expiry"


class ProductsTab(EditorTab[ProductView]):
    noun = "product"

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(
            ctx,
            [
                Column("Product", lambda p: p.name),
                Column("Kind", lambda p: p.kind.value.capitalize()),
                Column("Terms", _product_terms),
                Column(
                    "Price",
                    lambda p: money(p.price_minor, p.currency),
                    sort=lambda p: p.price_minor,
                    align_right=True,
                ),
                Column("Covers", lambda p: ", ".join(p.service_names)),
                Column("On sale", _active, tone=lambda p: None if p.active else "muted"),
            ],
            parent,
        )
        self.currency = "TRY"
        self.name = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(["Package (N sessions)", "Membership (unlimited / weekly limit)"])
        self.sessions = _spin(1, 1000, " sessions")
        self.valid_days = _spin(0, 3660, " days")
        self.valid_days.setSpecialValueText("No expiry")
        self.weekly_cap = _spin(0, 50, " a week")
        self.weekly_cap.setSpecialValueText("Unlimited")
        self.price = QLineEdit()
        self.first_visit = QCheckBox("Validity starts at the first visit")
        self.services = QListWidget()
        self.services.setMaximumHeight(130)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for text, field in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Sessions", self.sessions),
            ("Valid for", self.valid_days),
            ("Weekly limit", self.weekly_cap),
            ("Price", self.price),
            ("", self.first_visit),
            ("Covers", self.services),
        ):
            self.form.addRow(text, field)

    def load(self, session: Session) -> list[ProductView]:
        return catalog.list_products(session, include_inactive=True)

    def refresh(self) -> None:
        # The services a product may cover, and the studio currency, come first.
        self.ctx.background.read(
            lambda s: (catalog.list_services(s), get_policy(s).currency), owner=self
        ).success(self._choices).run()
        super().refresh()

    def _choices(self, loaded: tuple[list[ServiceView], str]) -> None:
        services, self.currency = loaded
        self.services.clear()
        for service in services:
            item = QListWidgetItem(service.name)
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.services.addItem(item)
        self.fill(self.editing)

    def _kind_changed(self, index: int) -> None:
        package = index == 0
        self.sessions.setEnabled(package)
        self.weekly_cap.setEnabled(not package)

    def fill(self, row: ProductView | None) -> None:
        self.name.setText(row.name if row else "")
        self.kind.setCurrentIndex(1 if row and row.kind is ProductKind.MEMBERSHIP else 0)
        self._kind_changed(self.kind.currentIndex())
        self.sessions.setValue(row.sessions or 10 if row else 10)
        self.valid_days.setValue((row.valid_days or 0) if row else 90)
        self.weekly_cap.setValue((row.weekly_cap or 0) if row else 0)
        self.price.setText(amount_text(row.price_minor, row.currency) if row else "")
        self.first_visit.setChecked(bool(row and row.activation_on_first_visit))
        chosen = set(row.service_ids) if row else set()
        for index in range(self.services.count()):
            item = self.services.item(index)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def save_work(self, row: ProductView | None) -> Work:
        actor = self.ctx.who.actor
        package = self.kind.currentIndex() == 0
        price = parse_amount(self.price.text(), row.currency if row else self.currency).minor
        service_ids = [
            self.services.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.services.count())
            if self.services.item(i).checkState() == Qt.CheckState.Checked
        ]
        terms = {
            "name": self.name.text(),
            "kind": ProductKind.PACKAGE if package else ProductKind.MEMBERSHIP,
            "sessions": self.sessions.value() if package else None,
            "valid_days": self.valid_days.value() or None,
            "weekly_cap": None if package else (self.weekly_cap.value() or None),
            "price_minor": price,
            "service_ids": service_ids,
            "activation_on_first_visit": self.first_visit.isChecked(),
        }
        if row is None:
            return lambda s: catalog.create_product(s, actor=actor, **terms)
        return lambda s: catalog.update_product(s, product_id=row.id, actor=actor, **terms)

    def toggle_work(self, row: ProductView) -> Work:
        actor, active = self.ctx.who.actor, not row.active
        return lambda s: catalog.set_product_active(
            s, product_id=row.id, active=active, actor=actor
        )
