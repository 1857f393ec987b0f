"""Which reasons fit what happened to the stock (issue 19, item 11): the dashboard's adjust form
offers these, so the ledger never refuses the reason's sign."""

from __future__ import annotations

from storekeeper.domain.stock import BUILTIN_REASONS, DEFAULT_REASON, ChangeKind, reason_suits


def fitting(kind: ChangeKind, reasons=None) -> list[str]:
    reasons = reasons or {code: direction for code, (_name, direction) in BUILTIN_REASONS.items()}
    return [code for code, direction in reasons.items() if reason_suits(code, direction, kind)]


def test_stock_that_came_in_takes_reasons_that_increase_it_or_go_either_way():
    assert fitting(ChangeKind.IN) == ["receipt", "return", "initial", "correction"]


def test_stock_that_went_out_takes_reasons_that_decrease_it_or_go_either_way():
    assert fitting(ChangeKind.OUT) == ["correction", "loss", "damage", "theft", "sale"]


def test_a_count_takes_count_or_a_reason_that_goes_either_way():
    assert fitting(ChangeKind.COUNT) == ["count", "correction"]


def test_custom_reasons_fit_by_their_direction():
    custom = {"gift": "in", "sample": "out", "audit": "any"}
    assert fitting(ChangeKind.IN, custom) == ["gift", "audit"]
    assert fitting(ChangeKind.OUT, custom) == ["sample", "audit"]
    assert fitting(ChangeKind.COUNT, custom) == ["audit"]


def test_each_kind_starts_with_an_everyday_reason_that_fits_it():
    assert DEFAULT_REASON == {ChangeKind.IN: "receipt", ChangeKind.OUT: "sale", ChangeKind.COUNT: "count"}
    for kind, code in DEFAULT_REASON.items():
        assert reason_suits(code, BUILTIN_REASONS[code][1], kind)
