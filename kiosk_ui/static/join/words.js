// The sign-up page's words, Vietnamese first, then English.
export const WORDS = {
  title: ["Đăng ký thành viên", "Become a member"],
  titleEvent: ["Đăng ký: {event}", "Register: {event}"],
  intro: ["Điền tên và số điện thoại: thẻ thành viên của bạn hiện ra ngay trên điện thoại.",
    "Fill in your name and phone: your membership card appears on your phone at once."],
  introEvent: ["Điền tên và số điện thoại: khi cửa đã mở, bạn được check-in ngay, không cần "
    + "xếp hàng.", "Fill in your name and phone: once the doors are open you are checked "
    + "in at once, no queue."],
  fullName: ["Họ và tên", "Full name"],
  phone: ["Số điện thoại", "Phone number"],
  email: ["E-mail (không bắt buộc: để nhận thẻ qua e-mail)",
    "E-mail (optional: to get your card by e-mail)"],
  consentLegend: ["Bạn có muốn nhận tin khuyến mãi không? (không bắt buộc)",
    "Would you like to hear about offers? (optional)"],
  consentEmail: ["Có, qua e-mail", "Yes, by e-mail"],
  consentSms: ["Có, qua SMS hoặc Zalo", "Yes, by SMS or Zalo"],
  privacy: ["Chúng tôi chỉ dùng thông tin này để nhận ra bạn khi bạn đến, và chỉ gửi tin "
    + "khuyến mãi qua kênh bạn đã đồng ý. Bạn có thể xem, sửa hoặc xóa chúng bất cứ lúc nào.",
  "We use these details only to recognise you when you come, and send offers only by the "
    + "channels you agreed to. You can see, change or delete them at any time."],
  send: ["Đăng ký", "Sign up"],
  sending: ["Đang gửi…", "Sending…"],
  required_full_name: ["Hãy nhập họ và tên.", "Enter your full name."],
  required_phone: ["Hãy nhập số điện thoại.", "Enter your phone number."],
  invalid_phone: ["Số điện thoại này không đúng. Hãy nhập số điện thoại di động, ví dụ "
    + "0912 345 678.", "This phone number is not right. Enter a mobile number, e.g. "
    + "0912 345 678."],
  invalid_email: ["Địa chỉ e-mail này không đúng (ví dụ: ten@gmail.com).",
    "This e-mail address is not right (e.g. name@gmail.com)."],
  too_long: ["Nội dung này dài quá.", "This is too long."],
  bad_characters: ["Có ký tự không dùng được ở đây.", "This holds characters that cannot "
    + "be used here."],
  too_many_attempts: ["Đã có quá nhiều lần đăng ký với số này hoặc từ đây. Hãy thử lại sau "
    + "ít phút.", "Too many sign-ups with this number or from here. Try again in a few "
    + "minutes."],
  poster_not_found: ["Mã QR này không còn dùng được. Hãy hỏi nhân viên cửa hàng.",
    "This QR code no longer works. Ask the shop's staff."],
  request_reused: ["Trang đã cũ. Hãy tải lại trang rồi gửi lại.",
    "This page is out of date. Reload it and send again."],
  offline: ["Không kết nối được. Hãy kiểm tra mạng rồi bấm Đăng ký lần nữa.",
    "Could not connect. Check the network and press Sign up again."],
  failed: ["Không đăng ký được lúc này. Hãy thử lại sau ít phút.",
    "Signing up did not work just now. Try again in a few minutes."],
  checkMessages: ["Nếu số điện thoại hoặc e-mail này là của bạn, một liên kết đăng nhập đang "
    + "được gửi đến bạn: hãy kiểm tra tin nhắn.", "If this phone or e-mail is yours, a "
    + "sign-in link is on its way: check your messages."],
  openCard: ["Mở thẻ thành viên", "Open my card"],
  welcome: ["Chào mừng bạn! Đang mở thẻ thành viên…", "Welcome! Opening your card…"],
  mailed: ["Thẻ cũng được gửi vào e-mail của bạn.", "Your card is also on its way to your "
    + "e-mail."],
  walk_checked_in: ["Bạn đã được check-in vào {event}. Chào mừng bạn! Đưa thẻ thành viên "
    + "nếu nhân viên hỏi.", "You are checked in to {event}. Welcome! Show your membership "
    + "card if the staff ask."],
  walk_invited: ["Bạn đã được đăng ký vào {event}. Cửa mở lúc {time}: đưa thẻ thành viên "
    + "tại cổng để vào.", "You are registered for {event}. The doors open at {time}: show "
    + "your membership card at the gate to get in."],
  walk_closed: ["{event} đã hết giờ check-in. Thẻ thành viên của bạn đã sẵn sàng.",
    "Check-in for {event} is over. Your membership card is ready."],
  walk_full: ["{event} đã đủ chỗ nên chưa nhận thêm khách. Thẻ thành viên của bạn đã sẵn "
    + "sàng.", "{event} is full. Your membership card is ready."],
};
