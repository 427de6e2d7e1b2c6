// The words of the customer's own page, Vietnamese first, English second; the language is
// kept on this phone, for all the pages a customer keeps there. Every message a person
// reads is a sentence from here.
import { wordsOf } from "../phone-language.js";

export { time } from "../phone-language.js";

const WORDS = {
  title: ["Trang của tôi", "My page"],
  loading: ["Đang tải…", "Loading…"],
  hello: ["Xin chào, {name}", "Hello, {name}"],
  member: ["Mã thành viên {number}", "Member no. {number}"],
  signOut: ["Đăng xuất", "Sign out"],
  // signing in
  signInTitle: ["Đăng nhập trang của bạn", "Sign in to your page"],
  signInIntro: ["Nhập số điện thoại hoặc e-mail bạn đã đăng ký. Chúng tôi sẽ gửi cho bạn một "
    + "liên kết đăng nhập, dùng được một lần trong 15 phút.",
  "Enter the phone number or e-mail address you gave us. We will send you a sign-in link "
    + "that works once, within 15 minutes."],
  signInLabel: ["Số điện thoại hoặc e-mail", "Phone number or e-mail"],
  signInSend: ["Gửi liên kết đăng nhập", "Send me a sign-in link"],
  signInSent: ["Nếu thông tin này là của bạn, liên kết đăng nhập đang được gửi tới bạn: hãy "
    + "xem tin nhắn.", "If this is yours, a sign-in link is on its way: check your messages."],
  signInEmpty: ["Hãy nhập số điện thoại hoặc e-mail.", "Enter a phone number or an e-mail address."],
  signedOut: ["Bạn đã đăng xuất.", "You are signed out."],
  sessionEnded: ["Phiên đăng nhập đã kết thúc. Hãy yêu cầu một liên kết mới.",
    "Your session has ended. Ask for a new sign-in link."],
  // card and points
  cardTitle: ["Thẻ thành viên", "Membership card"],
  cardOpen: ["Mở thẻ của tôi", "Open my card"],
  cardNone: ["Bạn chưa có thẻ thành viên. Hãy hỏi nhân viên ở quầy.",
    "You have no membership card yet. Ask at the counter."],
  cardQr: ["Mã QR thẻ thành viên của bạn", "Your membership card's QR code"],
  pointsTitle: ["Điểm và hạng", "Points and tier"],
  points: ["{points} điểm", "{points} points"],
  tier: ["Hạng {tier}", "Tier: {tier}"],
  progress: ["Chi tiêu 12 tháng: {spend}. Còn {left} nữa để lên hạng {next}.",
    "Spent over 12 months: {spend}. {left} more to reach {next}."],
  topTier: ["Chi tiêu 12 tháng: {spend}. Bạn đang ở hạng cao nhất.",
    "Spent over 12 months: {spend}. You are in the top tier."],
  couponsTitle: ["Phiếu ưu đãi", "Coupons"],
  couponsNone: ["Bạn chưa có phiếu ưu đãi nào.", "You have no coupons yet."],
  coupon_valid: ["Dùng được đến {time}", "Valid until {time}"],
  coupon_used: ["Đã dùng lúc {time}", "Used at {time}"],
  coupon_expired: ["Đã hết hạn lúc {time}", "Expired at {time}"],
  // profile
  profileTitle: ["Thông tin của tôi", "My details"],
  fullName: ["Họ tên", "Full name"],
  phone: ["Số điện thoại", "Phone number"],
  email: ["E-mail", "E-mail"],
  messageLanguage: ["Chúng tôi nhắn tin cho bạn bằng {language}. Đổi bằng nút VI / EN ở đầu "
    + "trang.", "We write to you in {language}. Switch with the VI / EN buttons at the top."],
  messageLanguage_vi: ["tiếng Việt", "Vietnamese"],
  messageLanguage_en: ["tiếng Anh", "English"],
  preferred: ["Tôi muốn được liên hệ qua", "Reach me by"],
  preferred_none: ["Không chọn", "No preference"],
  preferred_email: ["E-mail", "E-mail"],
  preferred_sms: ["SMS / Zalo", "SMS / Zalo"],
  consentTitle: ["Nhận tin ưu đãi", "News and offers"],
  consentIntro: ["Tin nhắn về thẻ và đăng nhập luôn được gửi. Tin ưu đãi chỉ gửi khi bạn đồng ý.",
    "Messages about your card and sign-in always come. Offers come only if you agree."],
  consent_email: ["Nhận tin ưu đãi qua e-mail", "Send me offers by e-mail"],
  consent_sms: ["Nhận tin ưu đãi qua SMS / Zalo", "Send me offers by SMS / Zalo"],
  save: ["Lưu thay đổi", "Save changes"],
  saving: ["Đang lưu…", "Saving…"],
  saved: ["Đã lưu thay đổi của bạn.", "Your changes are saved."],
  nothingChanged: ["Bạn chưa thay đổi gì.", "You have not changed anything."],
  historyTitle: ["Lịch sử đồng ý", "Consent history"],
  historyNone: ["Chưa có thay đổi nào.", "No changes yet."],
  history_granted: ["{time}: đồng ý nhận tin qua {channel} ({where}).",
    "{time}: agreed to offers by {channel} ({where})."],
  history_withdrawn: ["{time}: không nhận tin qua {channel} nữa ({where}).",
    "{time}: stopped offers by {channel} ({where})."],
  channel_email: ["e-mail", "e-mail"],
  channel_sms: ["SMS / Zalo", "SMS / Zalo"],
  source_portal: ["bạn, trên trang này", "you, on this page"],
  source_staff: ["{who} ở cửa hàng", "{who} at the shop"],
  source_till: ["{who} ở quầy, khi bạn đăng ký", "{who} at the till, when you signed up"],
  source_poster: ["bạn, khi đăng ký từ áp phích", "you, signing up from a poster"],
  source_import: ["cửa hàng, từ danh sách khách", "the shop, from its customer list"],
  source_migration: ["cửa hàng", "the shop"],
  theShop: ["cửa hàng", "the shop"],
  // visits, purchases, feedback
  visitsTitle: ["Lượt ghé và mua hàng", "Visits and purchases"],
  visitsNone: ["Bạn chưa có lượt ghé nào.", "No visits yet."],
  visit_event: ["{time}: dự sự kiện", "{time}: attended an event"],
  visit_purchase: ["{time}: mua hàng", "{time}: a purchase"],
  purchase: ["{time}: {amount}, +{points} điểm", "{time}: {amount}, +{points} points"],
  purchaseServed: ["{time}: {amount}, +{points} điểm, {name} phục vụ",
    "{time}: {amount}, +{points} points, served by {name}"],
  purchaseVoided: ["{time}: {amount} (đã huỷ)", "{time}: {amount} (cancelled)"],
  feedbackTitle: ["Góp ý của tôi", "My feedback"],
  feedbackNone: ["Bạn chưa gửi góp ý nào.", "You have not sent any feedback."],
  feedbackLine: ["{time}: {stars} sao", "{time}: {stars} stars"],
  reply_open: ["Cửa hàng đã nhận ý kiến của bạn và sẽ liên hệ với bạn sớm.",
    "The shop has your feedback and will contact you soon."],
  reply_contacted: ["Cửa hàng đã liên hệ với bạn về góp ý này.",
    "The shop has contacted you about this feedback."],
  reply_resolved: ["Cửa hàng đã giải quyết góp ý này.", "The shop has resolved this feedback."],
  replyNote: ["Lời nhắn của cửa hàng: {note}", "The shop's note: {note}"],
  // data and account
  dataTitle: ["Dữ liệu của tôi", "My data"],
  dataIntro: ["Tải về mọi thông tin cửa hàng lưu về bạn (tệp ZIP gồm JSON và CSV).",
    "Download everything the shop holds about you (a ZIP of JSON and CSV files)."],
  download: ["Tải dữ liệu của tôi", "Download my data"],
  deleteTitle: ["Xoá tài khoản", "Delete my account"],
  deleteWarning: ["Xoá tài khoản sẽ xoá họ tên, số điện thoại, e-mail của bạn, thu hồi thẻ "
    + "thành viên và phiếu ưu đãi, và điểm sẽ mất. Không thể hoàn tác.",
  "Deleting your account erases your name, phone number and e-mail, revokes your membership "
    + "card and coupons, and your points are lost. This cannot be undone."],
  deleteType: ["Gõ XOÁ để xác nhận", "Type DELETE to confirm"],
  deleteWord: ["XOÁ", "DELETE"],
  deleteButton: ["Xoá vĩnh viễn tài khoản của tôi", "Delete my account for good"],
  deleteMismatch: ["Hãy gõ đúng chữ XOÁ để xác nhận.", "Type the word DELETE to confirm."],
  deleted: ["Tài khoản của bạn đã được xoá. Cảm ơn bạn đã đồng hành cùng cửa hàng.",
    "Your account has been deleted. Thank you for having been with us."],
  // errors, each a sentence
  offline: ["Không kết nối được. Hãy kiểm tra mạng rồi thử lại.",
    "Could not connect. Check the network and try again."],
  failed: ["Có lỗi xảy ra. Hãy thử lại sau ít phút.", "Something went wrong. Try again in a few minutes."],
  phone_taken: ["Số điện thoại này đã được dùng cho một tài khoản khác.",
    "This phone number is already used by another account."],
  invalid_phone: ["Số điện thoại không hợp lệ.", "This phone number is not valid."],
  name_required: ["Hãy nhập họ tên.", "Enter your name."],
  name_empty: ["Hãy nhập họ tên.", "Enter your name."],
  email_invalid: ["E-mail không hợp lệ.", "This e-mail address is not valid."],
  string_too_long: ["{field}: dài quá.", "{field}: too long."],
  control_characters: ["{field}: có ký tự không hợp lệ.", "{field}: has characters that are not allowed."],
  too_many_requests: ["Bạn đã yêu cầu nhiều liên kết. Hãy thử lại sau {minutes} phút.",
    "Many links were asked for. Try again in {minutes} min."],
  confirmation_needed: ["Hãy gõ đúng chữ XOÁ để xác nhận.", "Type the word DELETE to confirm."],
};

export const t = wordsOf(WORDS, "failed");

export function has(key) {
  return key in WORDS;
}

export function vnd(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount)} ₫`;
}
