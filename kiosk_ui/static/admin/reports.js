// #/reports (admins): the owner's reports as files, CSV or Excel: an event's attendance, the
// customers with their status and its reason, the sales per day and per staff member. Each
// says in a line what it holds, asks for what it needs (an event, two days) and has a button
// per kind of file; the files' words are in the language chosen at the top. A refused choice
// (an end before the start) is said by its field, never saved as a file.
import { api, download, query } from "./api.js";
import { addWords, lang, t } from "./i18n.js";
import {
  actionButton, clearProblems, el, field, notify, select, showProblems, textInput,
  toLocalInput, valueOf,
} from "./ui.js";

addWords({
  navReports: ["Báo cáo", "Reports"],
  reportsHint: ["Tải báo cáo về dưới dạng CSV hoặc Excel. Chữ do khách nhập (tên, ghi chú) "
    + "không bao giờ thành công thức trong bảng tính; giờ là giờ của cửa hàng.",
  "Download reports as CSV or Excel. Text customers typed (names, notes) never becomes a "
    + "spreadsheet formula; times are the shop's."],
  reportsAdminOnly: ["Chỉ quản trị viên được tải báo cáo.", "Only an admin may download "
    + "reports."],
  reportLanguage: ["Ngôn ngữ trong tệp", "Language of the files"],
  reportLanguage_vi: ["Tiếng Việt", "Vietnamese"],
  reportLanguage_en: ["Tiếng Anh", "English"],
  report_attendance: ["Tham dự sự kiện", "Event attendance"],
  reportHint_attendance: ["Mỗi thư mời một dòng: khách, điện thoại, e-mail, hạng, lúc mời, "
    + "tình trạng, lúc check-in, cổng, khách vãng lai.", "One row per invitation: guest, "
    + "phone, e-mail, tier, invited at, status, checked in at, gate, walk-in."],
  report_customers: ["Khách hàng", "Customers"],
  reportHint_customers: ["Mọi khách hàng (trừ người đã xoá dữ liệu): liên hệ, hạng, điểm, "
    + "nhịp ghé và lý do, số lần ghé, lần ghé cuối, chi tiêu 90 ngày, nhãn, ghi chú.",
  "Every customer (but those whose data was erased): contact, tier, points, status and its "
    + "reason, visits, last visit, spend over 90 days, tags, notes."],
  report_sales: ["Doanh thu theo ngày", "Sales per day"],
  reportHint_sales: ["Số đơn, doanh thu và phiếu giảm giá đã dùng mỗi ngày, tối đa 366 ngày; "
    + "tệp Excel có thêm một trang theo nhân viên.", "Sales, total and coupons used each "
    + "day, 366 days at most; the Excel file has a second sheet per staff member."],
  report_sales_by_staff: ["Doanh thu theo nhân viên", "Sales per staff member"],
  reportHint_sales_by_staff: ["Số đơn và doanh thu của từng nhân viên đã phục vụ, trong các "
    + "ngày đã chọn.", "Sales and total of each staff member who served, over the days "
    + "chosen."],
  reportChooseEvent: ["Chọn sự kiện", "Choose an event"],
  reportNoEvents: ["Chưa có sự kiện nào.", "No events yet."],
  downloadAs_csv: ["Tải CSV", "Download CSV"],
  downloadAs_xlsx: ["Tải Excel", "Download Excel"],
  reportSaved: ["Đã tải {name}.", "Downloaded {name}."],
});

const KINDS = ["csv", "xlsx"];

/** Today and the first of this month on the shop's calendar ("YYYY-MM-DD"). */
function thisMonth() {
  const today = toLocalInput(new Date().toISOString()).slice(0, 10);
  return [`${today.slice(0, 8)}01`, today];
}

/** A report: its title, what it holds, its inputs and a button per kind of file. `params`
 * reads the inputs as the report's query parameters. */
function reportPanel(name, inputs, params, language) {
  const form = el("form", { class: `panel report report-${name}`, novalidate: true,
    dataset: { report: name } },
  el("h2", { text: t(`report_${name}`) }),
  el("p", { class: "hint", text: t(`reportHint_${name}`) }),
  inputs.length ? el("div", { class: "report-inputs" }, ...inputs) : null,
  el("p", { class: "error form-error", role: "alert" }));
  const save = async (kind) => {
    clearProblems(form);
    try {
      const saved = await download(`/reports/${name}.${kind}${query({ ...params(form),
        lang: language.value })}`);
      notify(t("reportSaved", { name: saved }));
    } catch (error) {
      showProblems(form, error);
    }
  };
  form.append(el("p", { class: "actions" }, KINDS.map((kind) => actionButton(
    t(`downloadAs_${kind}`), () => save(kind), kind === "csv" ? "primary" : ""))));
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

function eventPicker(events) {
  const options = events.map((event) => [event.id,
    `${event.name} · ${toLocalInput(event.starts_at).slice(0, 10)}`]);
  const picker = select([["", t("reportChooseEvent")], ...options], events[0]?.id ?? "");
  return field("event_id", t("field_event_id"), picker,
    events.length ? null : t("reportNoEvents"));
}

const days = () => {
  const [first, today] = thisMonth();
  return [field("from", t("field_from"), textInput(first, { type: "date" })),
    field("to", t("field_to"), textInput(today, { type: "date" }))];
};

const dates = (form) => ({ from: valueOf(form, "from"), to: valueOf(form, "to") });

export async function reportsView(root, context) {
  root.append(el("h1", { text: t("navReports") }));
  if (context.me.role !== "admin") {
    root.append(el("p", { class: "error page-error", role: "alert",
      text: t("reportsAdminOnly") }));
    return;
  }
  const events = await api("/events"); // latest first
  const language = select(["vi", "en"].map((code) => [code, t(`reportLanguage_${code}`)]),
    lang());
  root.append(el("p", { class: "hint", text: t("reportsHint") }),
    el("div", { class: "panel report-language" },
      field("lang", t("reportLanguage"), language)),
    el("div", { class: "reports" },
      reportPanel("attendance", [eventPicker(events)],
        (form) => ({ event_id: valueOf(form, "event_id") }), language),
      reportPanel("customers", [], () => ({}), language),
      reportPanel("sales", days(), dates, language),
      reportPanel("sales_by_staff", days(), dates, language)));
}
