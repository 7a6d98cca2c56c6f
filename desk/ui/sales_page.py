"""Sales: sell a package or membership to anyone, quickly, without opening their profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desk.services import catalog
from desk.services.catalog import ProductView
from desk.services.members import MemberProfile
from desk.services.sales import EntitlementView
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import money
from desk.ui.members.sell_dialog import SellDialog, terms_text
from desk.ui.table_model import Column, RowsModel
from desk.ui.widgets.common import Card, InlineMessage, button, label
from desk.ui.widgets.member_picker import MemberPicker
from desk.ui.widgets.tables import table


@dataclass(frozen=True)
class DeskSale:
    at: datetime
    member: str
    sale: EntitlementView


SOLD_COLUMNS: list[Column[DeskSale]] = [
    Column("Time", lambda d: f"{d.at:%H:%M}", sort=lambda d: d.at.isoformat()),
    Column("Member", lambda d: d.member),
    Column("Product", lambda d: d.sale.name),
    Column(
        "Price",
        lambda d: money(d.sale.price_minor, d.sale.currency),
        sort=lambda d: d.sale.price_minor,
        align_right=True,
    ),
]


class SalesPage(QWidget):
    products_loaded = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.member: MemberProfile | None = None
        self.products: list[ProductView] = []
        self.dialog: SellDialog | None = None
        self.picker = MemberPicker(ctx.background, placeholder="Who is buying? Name or phone…")
        self.picker.picked.connect(self._picked)
        self.chosen = label("No member chosen yet.", role="muted")
        self.catalog = QListWidget()
        self.catalog.setObjectName("Products")
        self.catalog.setSpacing(2)
        self.catalog.setWordWrap(True)
        self.catalog.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.catalog.currentRowChanged.connect(lambda _r: self._ready())
        self.catalog.itemDoubleClicked.connect(lambda _i: self.sell())
        self.sell_button = button("Sell…", kind="primary", on_click=self.sell)
        self.sell_button.setEnabled(False)
        self.message = InlineMessage()
        self.sold = RowsModel(SOLD_COLUMNS, self)
        self.sold_table = table(self.sold, sort_by=None)
        left, right = Card(), Card()
        left.body.addWidget(label("1. Member", role="h2"))
        left.body.addWidget(self.picker, 1)
        left.body.addWidget(self.chosen)
        right.body.addWidget(label("2. Package or membership", role="h2"))
        right.body.addWidget(self.catalog, 1)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.sell_button)
        right.body.addLayout(row)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(left, 1)
        top.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(label("Sales", role="h1"))
        layout.addLayout(top, 3)
        layout.addWidget(label("Sold at this desk since you signed in", role="h2"))
        layout.addWidget(self.sold_table, 2)
        ctx.background.changed.connect(
            lambda areas: self.refresh() if worker.CATALOG in areas else None
        )
        self._loaded = False

    def activate(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.refresh()
        self.picker.focus()

    def refresh(self) -> None:
        self.ctx.background.read(lambda s: catalog.list_products(s), owner=self).success(
            self._show_products
        ).failure(self.message.show_error).run()

    def _show_products(self, products: list[ProductView]) -> None:
        self.products = products
        self.catalog.clear()
        for product in products:
            item = QListWidgetItem(
                f"{product.name}   ·   {money(product.price_minor, product.currency)}\n"
                f"{terms_text(product)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, product.id)
            self.catalog.addItem(item)
        if not products:
            self.message.show_notice("No products on sale yet: the owner adds them in Settings.")
        self.products_loaded.emit(len(products))
        self._ready()

    def _picked(self, member: MemberProfile) -> None:
        self.member = member
        self.chosen.setText(f"Selling to {member.full_name}")
        self._ready()

    def _ready(self) -> None:
        self.sell_button.setEnabled(self.member is not None and self.catalog.currentRow() >= 0)

    def choose_product(self, name: str) -> None:
        index = next(i for i, p in enumerate(self.products) if p.name == name)
        self.catalog.setCurrentRow(index)

    def sell(self) -> SellDialog | None:
        if self.member is None or self.catalog.currentRow() < 0:
            return None
        product = self.products[self.catalog.currentRow()]
        dialog = SellDialog(self.ctx, self.member, self, preselect=product.name)
        member = self.member
        dialog.sold.connect(lambda sale: self._sold(member, sale))
        dialog.setModal(True)
        dialog.show()
        self.dialog = dialog
        return dialog

    def _sold(self, member: MemberProfile, sale: EntitlementView) -> None:
        done = DeskSale(at=self.ctx.now().astimezone(), member=member.full_name, sale=sale)
        self.sold.set_rows([done, *self.sold.rows])
        self.message.show_ok(f"Sold {sale.name} to {member.full_name}.")
