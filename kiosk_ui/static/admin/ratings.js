// #/ratings: what customers' ratings say, per staff member and per ISO week, each average
// with its number of answers ("5,0 (2 câu trả lời)"), and the comments. An admin sees
// everyone (or one person); a staff member sees their own, which the server enforces.
import { api, query } from "./api.js";
import { followupPanel } from "./followup.js";
import { addWords, lang, t } from "./i18n.js";
import { el, row, select, table, when } from "./ui.js";

addWords({
  navRatings: ["Đánh giá", "Ratings"],
  ratingsHint: ["Điểm trung bình từ 1 đến 5 trong {weeks} tuần qua, kèm số câu trả lời: "
    + "điểm cao từ ít câu trả lời chưa nói được nhiều.",
  "Average ratings from 1 to 5 over the last {weeks} weeks, with their number of answers: a "
    + "high score from few answers says little yet."],
  ratingsOwnHint: ["Đây là đánh giá của khách về bạn.", "These are customers' ratings of you."],
  ratingsEveryone: ["Mọi nhân viên", "Every staff member"],
  ratingsPerson: ["Nhân viên", "Staff member"],
  ratingsPerStaff: ["Theo nhân viên", "Per staff member"],
  ratingsPerWeek: ["Theo tuần", "Per week"],
  ratingsComments: ["Lời nhắn của khách", "Customers' comments"],
  ratingsVisit: ["Lượt ghé", "Visit"],
  ratingsStaff: ["Nhân viên phục vụ", "Staff who served"],
  ratingsWeek: ["Tuần", "Week"],
  ratingsNobody: ["(không ghi người phục vụ)", "(nobody named)"],
  ratingsNone: ["Chưa có đánh giá nào.", "No ratings yet."],
  ratingsNoComments: ["Chưa có lời nhắn nào.", "No comments yet."],
  ratingAnswers_one: ["{average} (1 câu trả lời)", "{average} (1 answer)"],
  ratingAnswers: ["{average} ({count} câu trả lời)", "{average} ({count} answers)"],
  ratingNoAnswers: ["chưa có câu trả lời", "no answers"],
  weekName: ["Tuần {week}, {year}", "Week {week}, {year}"],
  commentBy: ["{stars} · về {name}", "{stars} · about {name}"],
  commentVisit: ["lượt ghé {visit}/5", "visit {visit}/5"],
  commentStaff: ["nhân viên {staff}/5", "staff {staff}/5"],
  commentFrom: ["từ {name}", "from {name}"],
});

const WEEKS = 12;

/** "5,0 (2 câu trả lời)": an average always shown with how many answers it comes from. */
export function figureText(figure) {
  if (!figure.answers) return t("ratingNoAnswers");
  const average = new Intl.NumberFormat(lang() === "en" ? "en-GB" : "vi-VN", {
    minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(figure.average);
  return t(figure.answers === 1 ? "ratingAnswers_one" : "ratingAnswers",
    { average, count: figure.answers });
}

function weekText(week) {
  const [year, number] = week.split("-W");
  return t("weekName", { week: Number(number), year });
}

const personName = (line) => line.staff_name || t("ratingsNobody");

function commentItem(comment) {
  const stars = [t("commentVisit", { visit: comment.visit_rating }), comment.staff_rating
    && t("commentStaff", { staff: comment.staff_rating })].filter(Boolean).join(", ");
  return el("li", { class: "rating-comment" },
    el("q", { text: comment.comment }),
    el("small", { class: "hint" }, [when(comment.answered_at),
      t("commentBy", { stars, name: personName(comment) }),
      comment.customer_name && t("commentFrom", { name: comment.customer_name })]
      .filter(Boolean).join(" · ")));
}

function report(data, everyone) {
  const perStaff = table([t("ratingsPerson"), t("ratingsVisit"), t("ratingsStaff")],
    "ratings-per-staff");
  perStaff.body.append(...data.per_staff.map((line) => row(personName(line),
    figureText(line.visit), figureText(line.staff))));
  // A staff member's own report is about them alone: no column naming them each week.
  const perWeek = table([t("ratingsWeek"), everyone ? t("ratingsPerson") : null,
    t("ratingsVisit"), t("ratingsStaff")].filter(Boolean), "ratings-per-week");
  perWeek.body.append(...data.per_week.map((line) => row(...[weekText(line.week),
    everyone ? personName(line) : null, figureText(line.visit), figureText(line.staff)]
    .filter((cell) => cell !== null))));
  const empty = !data.per_staff.length;
  return [
    el("section", { class: "panel" }, el("h2", { text: t("ratingsPerStaff") }),
      empty ? el("p", { class: "empty", text: t("ratingsNone") }) : perStaff.node),
    el("section", { class: "panel" }, el("h2", { text: t("ratingsPerWeek") }),
      empty ? el("p", { class: "empty", text: t("ratingsNone") }) : perWeek.node),
    el("section", { class: "panel" }, el("h2", { text: t("ratingsComments") }),
      data.comments.length ? el("ul", { class: "rating-comments" },
        data.comments.map(commentItem))
        : el("p", { class: "empty", text: t("ratingsNoComments") })),
  ];
}

export async function ratingsView(root, context) {
  const admin = context.me.role === "admin";
  const shown = el("div", { class: "stack" });
  const load = async (staffId) => {
    shown.replaceChildren(...report(await api(`/ratings${query({ staff_id: staffId,
      weeks: WEEKS })}`), admin));
  };
  root.append(el("h1", { text: t("navRatings") }),
    el("p", { class: "hint", text: admin ? t("ratingsHint", { weeks: WEEKS })
      : `${t("ratingsOwnHint")} ${t("ratingsHint", { weeks: WEEKS })}` }));
  if (admin) {
    const staff = await api("/staff");
    const person = select([["", t("ratingsEveryone")], ...staff.map((member) => [member.id,
      member.full_name || member.username])], "");
    person.setAttribute("aria-label", t("ratingsPerson"));
    person.name = "staff_id";
    person.addEventListener("change", () => load(person.value));
    root.append(el("div", { class: "toolbar" }, person));
  }
  root.append(shown);
  await load("");
  root.append(await followupPanel(admin));
}
