// The coupon page's words, Vietnamese first, then English.
export const WORDS = {
  status_valid: ["Còn dùng được", "Can be used"],
  status_used: ["Đã dùng lúc {time}", "Used at {time}"],
  status_expired: ["Đã hết hạn lúc {time}", "Expired at {time}"],
  status_revoked: ["Phiếu này đã bị thu hồi", "This coupon was withdrawn"],
  until: ["Hạn dùng: {time}", "Valid until: {time}"],
  hint_valid: ["Đưa mã này cho nhân viên quét khi thanh toán. Mỗi phiếu chỉ dùng được một lần.",
    "Show this code at the till when you pay. Each coupon can be used once."],
  hint_used: ["Mỗi phiếu chỉ dùng được một lần. Cảm ơn bạn đã ghé!",
    "Each coupon can be used once. Thank you for coming!"],
  hint_expired: ["Phiếu đã quá hạn nên không dùng được nữa.",
    "The coupon is past its date and can no longer be used."],
  hint_revoked: ["Hãy hỏi nhân viên cửa hàng nếu bạn cần giúp.",
    "Ask the shop's staff if you need help."],
};
