"""Item models and badges, without any widget."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt

from desk.domain.enums import (
    EntitlementStatus,
    NoShowReason,
    ProductKind,
    SaleChannel,
    ServiceKind,
)
from desk.services import sales
from desk.services.noshows import NoShowEntry
from desk.services.sales import EntitlementView
from desk.ui.formatting import balance_badge
from desk.ui.members.models import entitlements_model, noshow_model
from desk.ui.table_model import ROW_ROLE, SORT_ROLE

pytestmark = pytest.mark.ui

TODAY = date(2025, 3, 10)


def view(**overrides) -> EntitlementView:
    base = dict(
        sale_id=1,
        member_id=1,
        name="Reformer 10",
        kind=ProductKind.PACKAGE,
        sessions=10,
        remaining=3,
        weekly_cap=None,
        starts_on=date(2025, 1, 1),
        expires_on=date(2025, 6, 1),
        scope=("Reformer Pilates",),
        status=EntitlementStatus.ACTIVE,
        paused_until=None,
        price_minor=250_000,
        currency="TRY",
        sold_at=datetime(2025, 1, 1, 9, tzinfo=UTC),
        seller="Rita Reception",
        channel=SaleChannel.DESK,
    )
    base.update(overrides)
    return EntitlementView(**base)


def test_badge_counts_sessions_left_across_active_packages():
    assert balance_badge([view(), view(sale_id=2, remaining=2)], TODAY) == ("5 left", "good")


def test_badge_warns_of_an_expiry_within_a_week():
    soon = view(expires_on=date(2025, 3, 12))
    assert balance_badge([soon], TODAY) == ("expires in 2 days", "warn")


def test_badge_says_no_package_when_nothing_usable():
    used = view(remaining=0, status=EntitlementStatus.USED_UP)
    expired = view(status=EntitlementStatus.EXPIRED)
    assert balance_badge([used, expired], TODAY) == ("no package", "bad")
    assert balance_badge([], TODAY) == ("no package", "bad")


def test_badge_last_session_is_a_warning():
    assert balance_badge([view(remaining=1)], TODAY) == ("1 left", "warn")


def test_entitlements_model_shows_remaining_of_total_and_status_words():
    model = entitlements_model()
    model.set_rows([view(), view(sale_id=2, kind=ProductKind.MEMBERSHIP, remaining=None)])
    assert model.rowCount() == 2
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:5] == ["Product", "Remaining", "Expires", "Covers", "Status"]
    assert model.data(model.index(0, 1)) == "3 / 10"
    assert model.data(model.index(1, 1)) == "Unlimited"
    assert model.data(model.index(0, 2)) == "1 Jun 2025"
    assert model.data(model.index(0, 4)) == "Active"
    assert model.data(model.index(0, 0), ROW_ROLE).sale_id == 1


def test_entitlements_sort_by_expiry_date_not_by_text():
    model = entitlements_model()
    model.set_rows(
        [
            view(sale_id=1, expires_on=date(2025, 12, 1)),
            view(sale_id=2, expires_on=date(2025, 2, 1)),
            view(sale_id=3, expires_on=None),
        ]
    )
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    order = [proxy.data(proxy.index(r, 0), ROW_ROLE).sale_id for r in range(3)]
    assert order == [2, 1, 3]


def test_noshows_show_in_studio_time():
    entry = NoShowEntry(
        booking_id=1,
        kind=ServiceKind.GROUP,
        reason=NoShowReason.LATE_CANCEL,
        occurred_at=datetime(2025, 3, 10, 15, 0, tzinfo=UTC),
    )
    model = noshow_model(ZoneInfo("Europe/Istanbul"))
    model.set_rows([entry])
    assert model.data(model.index(0, 0)) == "Mon 10 Mar, 18:00"
    assert model.data(model.index(0, 2)) == "Late cancel"


def test_real_sale_reads_through_the_model(db, studio):
    from desk.services.actor import Actor

    with db.write() as s:
        sold = sales.sell(
            s, member_id=studio.ayse, product_id=studio.package10, actor=Actor.system()
        )
    model = entitlements_model()
    model.set_rows([sold])
    assert model.data(model.index(0, 1)) == "10 / 10"
    assert model.data(model.index(0, 3)) == "Reformer Pilates"


def test_dates_read_without_leading_zeros_on_every_os():
    from desk.ui.formatting import day, day_time, long_day, short_day, when

    assert day(date(2025, 3, 5)) == "5 Mar 2025"
    assert day(None) == "—"
    assert short_day(date(2025, 3, 5)) == "Wed 5 Mar"
    assert long_day(date(2025, 3, 5)) == "Wednesday 5 March 2025"
    assert day_time(datetime(2025, 3, 5, 9, 7)) == "Wed 5 Mar 09:07"
    assert day_time(datetime(2025, 3, 5, 9, 7), sep=", ") == "Wed 5 Mar, 09:07"
    london = ZoneInfo("Europe/London")
    assert when(datetime(2025, 3, 25, 17, 0, tzinfo=UTC), london) == "Tue 25 Mar, 17:00"
