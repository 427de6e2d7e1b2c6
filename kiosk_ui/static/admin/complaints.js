// #/complaints: every customer's complaints, newest first, by status (open, contacted,
// resolved), each with who did what and when; moved forward with a note. Also the managers'
// alert line the dashboard shows live when a customer rates a visit low.
import { ApiError, api, query } from "./api.js";
import { addWords, t } from "./i18n.js";
import { el, link, messageOf, notify, pagedList, select, when } from "./ui.js";

addWords({
  navComplaints: ["Khiếu nại", "Complaints"],
  complaintsHint: ["Khiếu nại ghi ở quầy và khiếu nại tự mở khi khách chấm từ 2 sao trở "
    + "xuống. Lời nhắn khi giải quyết được hiện cho khách trên trang góp ý của họ.",
  "Complaints recorded at the till, and those opened when a customer rates 2 stars or less. "
    + "The note given when resolving is shown to the customer on their feedback page."],
  complaintStatus_open: ["Mới", "Open"],
  complaintStatus_contacted: ["Đã liên hệ", "Contacted"],
  complaintStatus_resolved: ["Đã giải quyết", "Resolved"],
  allComplaints: ["Mọi trạng thái", "Every status"],
  filterByStatus: ["Lọc theo trạng thái", "Filter by status"],
  noComplaints: ["Không có khiếu nại nào.", "No complaints."],
  complaintFromFeedback: ["Từ trang góp ý", "From the feedback page"],
  complaintFromStaff: ["Ghi ở quầy bởi {name}", "Recorded at the till by {name}"],
  complaintAbout: ["Về nhân viên {name}", "About {name}"],
  complaintRatings: ["Lượt ghé {visit}/5", "Visit {visit}/5"],
  complaintStaffRating: ["nhân viên {staff}/5", "staff {staff}/5"],
  complaintNoText: ["(khách không viết gì thêm)", "(the customer wrote nothing more)"],
  complaintStep_open: ["{time}: khiếu nại được mở{by}.", "{time}: opened{by}."],
  complaintStep_contacted: ["{time}: {name} đã liên hệ với khách.",
    "{time}: {name} contacted the customer."],
  complaintStep_resolved: ["{time}: {name} đã giải quyết.", "{time}: {name} resolved it."],
  complaintStepBy: [" bởi {name}", " by {name}"],
  complaintSomeone: ["hệ thống", "the system"],
  complaintNote: ["Ghi chú (không bắt buộc)", "Note (optional)"],
  markContacted: ["Đã liên hệ khách", "Customer contacted"],
  markResolved: ["Đã giải quyết", "Resolved"],
  complaintMoved: ["Đã cập nhật khiếu nại của {name}.", "{name}'s complaint was updated."],
  alertsTitle: ["Khách chưa hài lòng", "Unhappy customers"],
  alertsEmpty: ["Không có khiếu nại nào đang mở từ trang góp ý.",
    "No open complaints from the feedback page."],
  alertLine: ["{customer} chấm {ratings}.", "{customer} rated {ratings}."],
  alertVisit: ["lượt ghé {visit}/5", "the visit {visit}/5"],
  alertStaff: ["{name} {staff}/5", "{name} {staff}/5"],
  alertStaffUnnamed: ["nhân viên {staff}/5", "the staff {staff}/5"],
  alertAnd: [" và ", " and "],
  openQueue: ["Mở hàng đợi khiếu nại", "Open the complaint queue"],
});

const PAGE_SIZE = 30;
const STATUSES = ["open", "contacted", "resolved"];

function stepLine(step) {
  const name = step.by_name || t("complaintSomeone");
  const by = step.by_name ? t("complaintStepBy", { name }) : "";
  return el("li", {}, t(`complaintStep_${step.status}`, { time: when(step.at), name, by }),
    step.note ? el("q", { text: step.note }) : null);
}

function ratingsText(complaint) {
  if (complaint.visit_rating === null) return null;
  const parts = [t("complaintRatings", { visit: complaint.visit_rating })];
  if (complaint.staff_rating !== null) {
    parts.push(t("complaintStaffRating", { staff: complaint.staff_rating }));
  }
  return el("span", { class: "stars-text", text: `★ ${parts.join(" · ")}` });
}

function actions(complaint, replace) {
  if (complaint.status === "resolved") return null;
  const note = el("textarea", { rows: 2, maxlength: 2000, "aria-label": t("complaintNote"),
    placeholder: t("complaintNote") });
  const move = async (status, button) => {
    button.disabled = true;
    try {
      const moved = await api(`/complaints/${complaint.id}/status`, { method: "POST",
        body: { status, note: note.value.trim() } });
      notify(t("complaintMoved", { name: moved.customer_name || `#${moved.customer_id}` }));
      replace(moved);
    } catch (error) {
      notify(messageOf(error), "error");
      if (error instanceof ApiError && error.status === 409) {
        replace(await api(`/complaints/${complaint.id}`));
      }
    } finally {
      button.disabled = false;
    }
  };
  const buttons = [];
  if (complaint.status === "open") {
    const contacted = el("button", { type: "button", text: t("markContacted"),
      dataset: { move: "contacted" } });
    contacted.addEventListener("click", () => move("contacted", contacted));
    buttons.push(contacted);
  }
  const resolved = el("button", { type: "button", class: "primary", text: t("markResolved"),
    dataset: { move: "resolved" } });
  resolved.addEventListener("click", () => move("resolved", resolved));
  buttons.push(resolved);
  return el("div", { class: "complaint-actions" }, note, el("div", { class: "links" }, buttons));
}

/** One complaint: who, about whom, what they said, each step, and the next moves. */
export function complaintCard(complaint) {
  const card = el("article", { class: `panel complaint ${complaint.status}`,
    dataset: { complaintId: complaint.id, status: complaint.status } });
  const replace = (fresh) => card.replaceWith(complaintCard(fresh));
  const source = complaint.source === "feedback" ? t("complaintFromFeedback")
    : t("complaintFromStaff", { name: complaint.opened_by_name || t("complaintSomeone") });
  card.append(
    el("header", {}, el("h2", {}, link(`#/customers/${complaint.customer_id}`,
      complaint.customer_name || `#${complaint.customer_id}`)),
    el("span", { class: `badge complaint-${complaint.status}`,
      text: t(`complaintStatus_${complaint.status}`) })),
    el("p", { class: "meta" }, [source, when(complaint.opened_at),
      complaint.about_staff_name && t("complaintAbout", { name: complaint.about_staff_name })]
      .filter(Boolean).join(" · "), " ", ratingsText(complaint)),
    el("p", { class: "complaint-text", text: complaint.text || t("complaintNoText") }),
    el("ol", { class: "steps" }, complaint.steps.map(stepLine)));
  const moves = actions(complaint, replace);
  if (moves) card.append(moves);
  return card;
}

export async function complaintsView(root) {
  const filter = select([["", t("allComplaints")], ...STATUSES.map((status) => [status,
    t(`complaintStatus_${status}`)])], "open");
  filter.setAttribute("aria-label", t("filterByStatus"));
  filter.name = "status";
  const container = el("div", { class: "complaints" });
  const list = pagedList({
    container, emptyText: t("noComplaints"),
    fetchPage: async (before) => {
      const items = await api(`/complaints${query({ status: filter.value, before,
        limit: PAGE_SIZE })}`);
      return { items, next_cursor: items.length === PAGE_SIZE ? items.at(-1).id : null };
    },
    render: complaintCard,
  });
  filter.addEventListener("change", () => list.reload());
  root.append(el("h1", { text: t("navComplaints") }),
    el("p", { class: "hint", text: t("complaintsHint") }),
    el("div", { class: "toolbar" }, filter), container, ...list.footer);
  await list.start();
}

/** A low rating as a sentence: "Đỗ Minh Châu chấm lượt ghé 1/5 và Hoa 2/5." */
export function alertSentence(alert) {
  const parts = [t("alertVisit", { visit: alert.visit_rating })];
  if (alert.staff_rating !== null && alert.staff_rating !== undefined) {
    parts.push(alert.staff_name ? t("alertStaff", { name: alert.staff_name,
      staff: alert.staff_rating }) : t("alertStaffUnnamed", { staff: alert.staff_rating }));
  }
  return t("alertLine", { customer: alert.customer_name || `#${alert.customer_id}`,
    ratings: parts.join(t("alertAnd")) });
}
