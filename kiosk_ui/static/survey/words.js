// The exit survey's words, Vietnamese first, then English.
export const WORDS = {
  title: ["Vì sao anh/chị ít ghé?", "Why did you stop coming?"],
  intro: ["Đã lâu rồi {business} chưa gặp lại anh/chị. Xin dành một phút cho chúng tôi biết "
    + "lý do, để chúng tôi phục vụ tốt hơn.", "We have not seen you at {business} for a "
    + "while. Tell us why in a minute, so that we can do better."],
  reasonLegend: ["Điều gì khiến anh/chị ít ghé?", "What made you stop coming?"],
  reason_price: ["Giá", "The prices"],
  reason_service: ["Cách phục vụ", "The service"],
  reason_staff: ["Nhân viên", "The staff"],
  reason_product: ["Sản phẩm", "The products"],
  reason_moved: ["Tôi đã chuyển chỗ ở hoặc nơi làm", "I moved away"],
  reason_competitor: ["Nơi khác có ưu đãi tốt hơn", "A better offer elsewhere"],
  reason_other: ["Lý do khác", "Something else"],
  wordsOther: ["Lý do của anh/chị", "Your reason"],
  wordsComment: ["Anh/chị muốn nói thêm điều gì? (không bắt buộc)",
    "Anything you would like to add? (optional)"],
  returnLegend: ["Anh/chị sẽ quay lại chứ?", "Will you come back?"],
  return_yes: ["Có", "Yes"],
  return_no: ["Không", "No"],
  return_unsure: ["Chưa chắc", "Not sure"],
  send: ["Gửi trả lời", "Send my answer"],
  sending: ["Đang gửi…", "Sending…"],
  chooseReason: ["Hãy chọn một lý do.", "Choose a reason."],
  words_required: ["Hãy cho chúng tôi biết lý do, vài chữ là đủ.",
    "Tell us the reason: a few words are enough."],
  tooLong: ["Lời nhắn dài quá 1000 ký tự.", "The text is longer than 1000 characters."],
  badCharacters: ["Lời nhắn có ký tự không dùng được.", "The text holds characters that "
    + "cannot be used."],
  thanks: ["Cảm ơn anh/chị đã cho chúng tôi biết! Câu trả lời đã được gửi đến cửa hàng.",
    "Thank you for telling us! Your answer has reached the shop."],
  answered: ["Anh/chị đã trả lời khảo sát này lúc {time}. Cảm ơn anh/chị đã cho chúng tôi "
    + "biết!", "You answered this survey at {time}. Thank you for telling us!"],
  exit_survey_answered: ["Anh/chị đã trả lời khảo sát này rồi. Cảm ơn anh/chị đã cho chúng "
    + "tôi biết!", "You have already answered this survey. Thank you for telling us!"],
  notFound: ["Không tìm thấy trang khảo sát này. Hãy mở lại liên kết trong tin nhắn.",
    "This survey page was not found. Open the link in the message again."],
  closed: ["Khảo sát này đã đóng. Cảm ơn anh/chị!", "This survey is closed. Thank you!"],
  offline: ["Không kết nối được. Hãy kiểm tra mạng rồi bấm gửi lần nữa.",
    "Could not connect. Check the network and send again."],
  failed: ["Không gửi được câu trả lời. Hãy thử lại sau ít phút.",
    "Your answer could not be sent. Try again in a few minutes."],
};

export const REASONS = ["price", "service", "staff", "product", "moved", "competitor", "other"];
export const RETURNS = ["yes", "unsure", "no"];
