"""Sell a package or membership at the desk: price from the product, editable by the owner."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout

from desk.domain.enums import ProductKind, SaleChannel
from desk.domain.errors import DomainError
from desk.domain.money import exponent, parse_amount
from desk.services import catalog, sales
from desk.services.catalog import ProductView
from desk.services.members import MemberProfile
from desk.services.sales import EntitlementView
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import money
from desk.ui.widgets.common import InlineMessage, button, label


def amount_text(minor: int, currency: str) -> str:
    """A price as typed into a field: "2500.00" (no grouping, so it reads back unchanged)."""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


def terms_text(product: ProductView) -> str:
    if product.kind is ProductKind.PACKAGE:
        what = "1 session" if product.sessions == 1 else f"{product.sessions} sessions"
    elif product.weekly_cap:
        what = f"Membership, up to {product.weekly_cap} visits a week"
    else:
        what = "Membership, unlimited visits"
    valid = f"valid {product.valid_days} days" if product.valid_days else "no expiry"
    start = " from the first visit" if product.activation_on_first_visit else ""
    return f"{what}, {valid}{start}. Covers {', '.join(product.service_names)}."


class SellDialog(QDialog):
    sold = Signal(object)

    def __init__(
        self, ctx: DeskContext, member: MemberProfile, parent=None, *, preselect: str = ""
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preselect = preselect
        self.member = member
        self.products: list[ProductView] = []
        self.result_view: EntitlementView | None = None
        self.setWindowTitle("Sell a package or membership")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(label(f"Sell to {member.full_name}", role="h2"))
        form = QFormLayout()
        form.setVerticalSpacing(10)
        self.product = QComboBox()
        self.product.setObjectName("Product")
        self.product.currentIndexChanged.connect(self._product_changed)
        self.terms = label("", role="muted", wrap=True)
        self.price = QLineEdit()
        self.price.setObjectName("Price")
        self.currency = label("")
        price_row = QHBoxLayout()
        price_row.addWidget(self.price, 1)
        price_row.addWidget(self.currency)
        form.addRow("Product", self.product)
        form.addRow("", self.terms)
        form.addRow("Price", price_row)
        self.price_hint = label("", role="muted", wrap=True)
        form.addRow("", self.price_hint)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = button("Cancel", on_click=self.reject)
        self.sell_button = button("Sell", kind="primary", on_click=self._sell)
        self.sell_button.setEnabled(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sell_button)
        layout.addLayout(buttons)
        if ctx.who.may_edit_prices:
            self.price_hint.setText("Change the price for a discount; the product stays as it is.")
        else:
            self.price.setReadOnly(True)
            self.price.setToolTip("Only the owner can change a price.")
            self.price_hint.setText("Price from the catalog (only the owner can change it).")
        ctx.background.read(lambda s: catalog.list_products(s), owner=self).success(
            self._loaded
        ).failure(self.message.show_error).run()

    def _loaded(self, products: list[ProductView]) -> None:
        self.products = products
        self.product.clear()
        for product in products:
            self.product.addItem(f"{product.name} — {money(product.price_minor, product.currency)}")
        if not products:
            self.message.show_notice("No products on sale yet: the owner adds them in Settings.")
            return
        self.sell_button.setEnabled(True)
        self._product_changed(0)
        if self.preselect:
            self.select_product(self.preselect)
        self.product.setFocus()

    def select_product(self, name: str) -> None:
        for index, product in enumerate(self.products):
            if product.name == name:
                self.product.setCurrentIndex(index)
                return
        raise LookupError(name)

    @property
    def chosen(self) -> ProductView | None:
        index = self.product.currentIndex()
        return self.products[index] if 0 <= index < len(self.products) else None

    def _product_changed(self, _index: int) -> None:
        product = self.chosen
        if product is None:
            return
        self.terms.setText(terms_text(product))
        self.price.setText(amount_text(product.price_minor, product.currency))
        self.currency.setText(product.currency)
        self.message.clear_message()

    def _sell(self) -> None:
        product = self.chosen
        if product is None:
            return
        self.message.clear_message()
        try:
            price = parse_amount(self.price.text(), product.currency).minor
        except DomainError as error:
            self.message.show_error(error)
            return
        actor, member_id, now = self.ctx.who.actor, self.member.id, self.ctx.now()
        asked = None if price == product.price_minor else price
        self.sell_button.setEnabled(False)
        self.ctx.background.write(
            lambda s: sales.sell(
                s,
                member_id=member_id,
                product_id=product.id,
                actor=actor,
                price_minor=asked,
                channel=SaleChannel.DESK,
                now=now,
            ),
            changes=[worker.SALES, worker.MEMBERS],
            owner=self,
        ).success(self._done).failure(self._refused).run()

    def _refused(self, error: BaseException) -> None:
        self.sell_button.setEnabled(True)
        self.message.show_error(error)

    def _done(self, view: EntitlementView) -> None:
        self.result_view = view
        self.sold.emit(view)
        self.accept()

    def keyPressEvent(self, event) -> None:
        # Enter in the price field sells; it must not close the dialog some other way.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.sell_button.isEnabled():
            self._sell()
            return
        super().keyPressEvent(event)
