"""Rendering errors: what a client sent is echoed in a form JSON can always carry."""

import json

from kiosk_server.core.errors import json_safe


def test_json_safe_makes_any_echoed_input_renderable():
    sent = {"\ud800": [float("nan"), float("inf"), -float("inf"), b"\xff", "Lan\udfff"],
            "kept": ["Nguyễn", 1, 1.5, None, True, {"a": (2, "b")}]}
    safe = json_safe(sent)
    json.dumps(safe, allow_nan=False, ensure_ascii=False).encode("utf-8")  # must not raise
    assert safe == {"?": ["nan", "inf", "-inf", "\ufffd", "Lan?"],
                    "kept": ["Nguyễn", 1, 1.5, None, True, {"a": [2, "b"]}]}
