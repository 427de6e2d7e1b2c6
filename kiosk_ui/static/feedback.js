// The customer's feedback page (/f/<token>, the link on their receipt): rate the visit and
// who served, with a comment; change it for a day; see what the shop did about it. The link
// is the only credential. Vietnamese by default, English on request (kept on this phone,
// for all the pages a customer keeps there).
import { language, onLanguage, time, wordsOf } from "./phone-language.js";

const $ = (id) => document.getElementById(id);
const sheet = $("sheet");
const token = sheet.dataset.token;

const WORDS = {
  title: ["Góp ý về lượt ghé của bạn", "Your feedback on your visit"],
  visit_purchase: ["Lần mua hàng lúc {time}", "Your purchase at {time}"],
  visit_event: ["Sự kiện bạn dự lúc {time}", "The event you attended at {time}"],
  visitLegend: ["Bạn chấm lượt ghé này mấy sao?", "How many stars for this visit?"],
  staffLegend: ["Bạn chấm {name}, người phục vụ bạn, mấy sao?",
    "How many stars for {name}, who served you?"],
  staffLegendUnnamed: ["Bạn chấm nhân viên phục vụ bạn mấy sao?",
    "How many stars for the staff member who served you?"],
  star: ["{n} sao", "{n} stars"],
  star_1: ["1 sao: rất tệ", "1 star: very bad"],
  star_5: ["5 sao: rất tốt", "5 stars: very good"],
  comment: ["Bạn muốn nói thêm điều gì? (không bắt buộc)", "Anything to add? (optional)"],
  send: ["Gửi góp ý", "Send feedback"],
  update: ["Cập nhật góp ý", "Update feedback"],
  sending: ["Đang gửi…", "Sending…"],
  chooseStars: ["Hãy chọn số sao cho lượt ghé.", "Choose the stars for your visit."],
  thanks: ["Cảm ơn bạn đã góp ý! Bạn có thể sửa lại đến {time}.",
    "Thank you for your feedback! You can change it until {time}."],
  thanksLow: ["Cảm ơn bạn đã cho biết. Chúng tôi rất tiếc và quản lý cửa hàng đã được báo "
    + "ngay. Bạn có thể sửa lại đến {time}.",
  "Thank you for telling us. We are sorry, and the shop's manager has been told at once. "
    + "You can change it until {time}."],
  editable: ["Bạn đã góp ý lúc {answered}. Bạn có thể sửa lại đến {time}.",
    "You sent your feedback at {answered}. You can change it until {time}."],
  closed: ["Bạn đã góp ý lúc {answered}. Góp ý chỉ sửa được trong một ngày nên giờ chỉ còn "
    + "để xem.", "You sent your feedback at {answered}. Feedback can be changed for a day, "
    + "so it can now only be read."],
  reply_open: ["Cửa hàng đã nhận ý kiến của bạn và sẽ liên hệ với bạn sớm.",
    "The shop has your feedback and will contact you soon."],
  reply_contacted: ["Cửa hàng đã liên hệ với bạn về góp ý này.",
    "The shop has contacted you about this feedback."],
  reply_resolved: ["Cửa hàng đã giải quyết góp ý này.", "The shop has resolved this feedback."],
  replyNote: ["Lời nhắn của cửa hàng: {note}", "The shop's note: {note}"],
  giftTitle: ["Cảm ơn! Một phiếu giảm giá cho lần tới của bạn",
    "Thank you! A coupon for your next visit"],
  giftHow: ["Đưa mã này ở quầy vào lần tới. Dùng được đến {time}.",
    "Show this code at the counter next time. Valid until {time}."],
  giftUsed: ["Phiếu này đã được dùng. Cảm ơn bạn đã quay lại!",
    "This coupon has been used. Thank you for coming back!"],
  giftQr: ["Mã QR của phiếu giảm giá", "The coupon's QR code"],
  notFound: ["Không tìm thấy trang góp ý này. Hãy mở lại liên kết trên hóa đơn.",
    "This feedback page was not found. Open the link on your receipt again."],
  offline: ["Không kết nối được. Hãy kiểm tra mạng rồi thử lại.",
    "Could not connect. Check the network and try again."],
  failed: ["Không gửi được góp ý. Hãy thử lại sau ít phút.",
    "Your feedback could not be sent. Try again in a few minutes."],
  tooLong: ["Lời nhắn dài quá 1000 ký tự.", "The comment is longer than 1000 characters."],
  feedback_closed: ["Góp ý này chỉ sửa được trong một ngày sau khi gửi.",
    "This feedback could be changed for a day after it was sent."],
  feedback_too_many_edits: ["Góp ý này đã được sửa quá nhiều lần.",
    "This feedback has been changed too many times."],
};

let shown = null; // what the server last said about this link
let justSent = false;

const t = wordsOf(WORDS, "failed");

class Refusal extends Error {
  constructor(status, code) {
    super(code || String(status));
    this.status = status;
    this.code = code;
  }
}

async function call(method, body) {
  const response = await fetch(`/api/v1/feedback/${encodeURIComponent(token)}`, {
    method, headers: { "Accept-Language": language(), ...(body ? { "Content-Type":
      "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Refusal(response.status, data?.error?.code);
  return data;
}

function stars(fieldset, name, legendKey, values) {
  const legend = fieldset.querySelector("legend");
  legend.textContent = t(legendKey, values);
  fieldset.querySelector(".stars")?.remove();
  const row = document.createElement("div");
  row.className = "stars";
  for (let n = 1; n <= 5; n += 1) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    Object.assign(input, { type: "radio", name, value: String(n) });
    const title = n === 1 ? t("star_1") : n === 5 ? t("star_5") : t("star", { n });
    input.setAttribute("aria-label", title);
    label.title = title;
    label.append(input, Object.assign(document.createElement("span"), {
      textContent: "★", ariaHidden: "true" }));
    row.append(label);
  }
  row.addEventListener("change", () => light(row));
  fieldset.append(row);
  return row;
}

function light(row) {
  const chosen = Number(row.querySelector("input:checked")?.value || 0);
  row.querySelectorAll("label").forEach((label, index) => {
    label.classList.toggle("on", index < chosen);
  });
}

const picked = (form, name) => Number(form.querySelector(`input[name=${name}]:checked`)?.value
  || 0);

function choose(form, name, value) {
  const input = form.querySelector(`input[name=${name}][value="${value}"]`);
  if (!input) return;
  input.checked = true;
  light(input.closest(".stars"));
}

function say(text) {
  $("status").textContent = text;
  $("status").hidden = !text;
}

function render() {
  $("title").textContent = t("title");
  if (!shown) return;
  const form = $("answer");
  const draft = form.dataset.drafted === "true";
  const before = { visit: picked(form, "visit_rating"), staff: picked(form, "staff_rating") };
  $("visit").textContent = t(`visit_${shown.visit_kind}`, { time: time(shown.visit_at) });
  stars($("visit-rating"), "visit_rating", "visitLegend");
  $("staff-rating").hidden = !shown.staff_served;
  if (shown.staff_served) {
    stars($("staff-rating"), "staff_rating", shown.staff_first_name ? "staffLegend"
      : "staffLegendUnnamed", { name: shown.staff_first_name });
  }
  $("comment-label").textContent = t("comment");
  if (!draft) form.elements.comment.value = shown.comment || "";
  choose(form, "visit_rating", draft ? before.visit : shown.visit_rating);
  choose(form, "staff_rating", draft ? before.staff : shown.staff_rating);
  for (const control of form.querySelectorAll("input, textarea, button")) {
    control.disabled = !shown.editable;
  }
  $("send").hidden = !shown.editable;
  $("send").textContent = t(shown.answered_at ? "update" : "send");
  form.hidden = false;
  say(statusText());
  renderReply();
  renderGift();
}

function renderGift() {
  const gift = shown.thanks;
  $("gift").hidden = !gift;
  if (!gift) return;
  $("gift").dataset.used = String(gift.used);
  $("gift-title").textContent = t("giftTitle");
  // "Giảm 10% cho lần ghé tới · 10% off your next visit": the half in the page's language.
  const [inVietnamese, inEnglish] = gift.benefit.split(" · ");
  $("gift-benefit").textContent = (language() === "en" && inEnglish) || inVietnamese;
  if ($("gift-qr").getAttribute("src") !== gift.qr_png) $("gift-qr").src = gift.qr_png;
  $("gift-qr").alt = t("giftQr");
  $("gift-qr").dataset.code = gift.code;
  $("gift-how").textContent = gift.used ? t("giftUsed")
    : t("giftHow", { time: time(gift.expires_at) });
}

function statusText() {
  if (!shown.answered_at) return "";
  const values = { answered: time(shown.answered_at), time: time(shown.editable_until) };
  if (!shown.editable) return t("closed", values);
  if (justSent) return t(shown.reply ? "thanksLow" : "thanks", values);
  return t("editable", values);
}

function renderReply() {
  const box = $("reply");
  box.replaceChildren();
  box.hidden = !shown.reply;
  if (!shown.reply) return;
  box.dataset.status = shown.reply.status;
  box.append(Object.assign(document.createElement("p"), {
    textContent: t(`reply_${shown.reply.status}`) }));
  if (shown.reply.status === "resolved" && shown.reply.note) {
    box.append(Object.assign(document.createElement("p"), {
      textContent: t("replyNote", { note: shown.reply.note }) }));
  }
}

function problemText(error) {
  if (error instanceof Refusal) {
    if (error.status === 404) return t("notFound");
    if (WORDS[error.code]) return t(error.code);
    return t("failed");
  }
  return t("offline");
}

async function send(event) {
  event.preventDefault();
  const form = $("answer");
  const visit = form.querySelector("input[name=visit_rating]:checked");
  const staff = form.querySelector("input[name=staff_rating]:checked");
  $("problem").textContent = "";
  if (!visit) {
    $("problem").textContent = t("chooseStars");
    return;
  }
  if (form.elements.comment.value.length > 1000) {
    $("problem").textContent = t("tooLong");
    return;
  }
  const button = $("send");
  button.disabled = true;
  button.textContent = t("sending");
  try {
    shown = await call("PUT", { visit_rating: Number(visit.value),
      staff_rating: staff ? Number(staff.value) : null, comment: form.elements.comment.value });
    justSent = true;
    form.dataset.drafted = "false";
    render();
  } catch (error) {
    $("problem").textContent = problemText(error);
    button.disabled = false;
    button.textContent = t(shown.answered_at ? "update" : "send");
  }
}

async function start() {
  onLanguage(render);
  $("answer").addEventListener("submit", send);
  $("answer").addEventListener("input", () => { $("answer").dataset.drafted = "true"; });
  try {
    shown = await call("GET");
    render();
  } catch (error) {
    say(problemText(error));
  }
  sheet.setAttribute("aria-busy", "false");
  sheet.dataset.ready = "true";
}

start();
