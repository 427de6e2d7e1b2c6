"""Vietnamese text rules: folding, phones, money, languages."""

import pytest

from kiosk_server.core.text import fold, format_vnd, normalize_phone, preferred_language


@pytest.mark.parametrize("name, folded", [
    ("Nguyễn Thị Hương", "nguyen thi huong"), ("Trần Đức Thắng", "tran duc thang"),
    ("  Phạm   Ngọc Ánh ", "pham ngoc anh"), ("LÊ THỊ BÍCH NGỌC", "le thi bich ngoc"),
])
def test_fold_removes_case_and_every_diacritic(name, folded):
    assert fold(name) == folded


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "84 912 345 678",
                                 "(091) 234-5678", "0912.345.678"])
def test_vietnamese_phone_forms_are_one_number(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["", "12", "0912", "abc", "0" * 40, "+84 12"])
def test_invalid_phones_are_refused(raw):
    assert normalize_phone(raw) is None


def test_vnd_and_languages():
    assert format_vnd(1250000) == "1.250.000 ₫"
    assert preferred_language(None) == "vi"
    assert preferred_language("en-US,en;q=0.9") == "en"
    assert preferred_language("fr, en;q=0.5, vi;q=0.8") == "vi"
    assert preferred_language("en;q=bad") == "vi"
