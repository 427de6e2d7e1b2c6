// A gate whose name already says it is one ("Cổng A", "Gate 2") is named alone in a
// sentence: "tại Cổng A", not "tại cổng Cổng A". The server's sentences follow the same
// rule (kiosk_server/checkin/messages.py).
export const namesItself = (gate) => /^(cổng|gate)(\s|$)/i.test(gate);
