// The unsubscribe page's words, Vietnamese first, then English. `{channel}` is the words
// for the message's channel (channel_email, channel_sms).
export const WORDS = {
  title: ["Hủy đăng ký nhận tin", "Unsubscribe"],
  channel_email: ["e-mail", "e-mail"],
  channel_sms: ["tin nhắn điện thoại (SMS, Zalo)", "phone messages (SMS, Zalo)"],
  what: ["Bấm nút dưới đây thì {business} sẽ ngừng gửi tin khuyến mãi và tin tức cho anh/chị "
    + "qua {channel}, kể cả những tin đang chờ gửi. Tin cần thiết cho việc anh/chị yêu cầu "
    + "(như thẻ thành viên) vẫn được gửi.", "Press the button below and {business} will "
    + "stop sending you offers and news by {channel}, including any waiting to be sent. "
    + "Messages needed for something you asked for (such as your membership card) still "
    + "come."],
  confirm: ["Hủy đăng ký", "Unsubscribe"],
  working: ["Đang hủy đăng ký…", "Unsubscribing…"],
  done: ["Anh/chị đã hủy đăng ký. {business} sẽ không gửi tin khuyến mãi qua {channel} cho "
    + "anh/chị nữa.", "You are unsubscribed. {business} will send you no more offers by "
    + "{channel}."],
  after: ["Đổi ý? Hãy báo nhân viên cửa hàng, hoặc bật lại trên trang thành viên của anh/chị.",
    "Changed your mind? Tell the shop's staff, or turn it back on on your member page."],
  notFound: ["Không tìm thấy liên kết hủy đăng ký này. Hãy mở lại liên kết trong tin nhắn, "
    + "hoặc báo nhân viên cửa hàng.", "This unsubscribe link was not found. Open the link in "
    + "the message again, or tell the shop's staff."],
  offline: ["Không kết nối được. Hãy kiểm tra mạng rồi bấm lần nữa.",
    "Could not connect. Check the network and press again."],
  failed: ["Chưa hủy đăng ký được. Hãy thử lại sau ít phút.",
    "That did not work. Try again in a few minutes."],
};
