// #/insights: first the proof (does contacting drifting customers bring them back, against
// those left alone at random: winback.js), then the owner's charts over a span of days
// (this month and the five before, by default): customers by status, the returning-customer
// rate, visits and sales per week, cohort retention as a heat map, staff ratings per month,
// the reasons customers give for leaving, and the win-back of contacted customers against the
// held-out ones per month. Each card says what its chart shows in a sentence and downloads as
// PNG and CSV (charts.js). Admins only: a staff member is told it is the owner's.
import {
  chartCard, compact, dayLabel, lastWhole, locale, monthLabel, percent, records,
} from "./charts.js";
import { addWords, t } from "./i18n.js";
import { el, money, number, toLocalInput } from "./ui.js";
import { winBackPanel } from "./winback.js";

addWords({
  navInsights: ["Số liệu", "Insights"],
  insightsOwnerOnly: ["Trang số liệu dành cho chủ cửa hàng (tài khoản quản trị).",
    "The insights are for the owner (an admin account)."],
  insightsShow: ["Xem", "Show"],
  chartStatuses: ["Khách theo trạng thái", "Customers by status"],
  chartReturning: ["Tỉ lệ khách quay lại", "Returning-customer rate"],
  chartActivity: ["Lượt ghé và doanh số mỗi tuần", "Visits and sales per week"],
  chartCohorts: ["Khách mới còn quay lại (theo tháng đầu tiên)",
    "New customers still visiting (by first month)"],
  chartStaffRatings: ["Đánh giá nhân viên theo tháng", "Staff ratings per month"],
  chartReasons: ["Lý do khách bỏ đi", "Reasons for leaving"],
  chartWinBack: ["Khách quay lại: được liên hệ và không liên hệ",
    "Won back: contacted against left alone"],
  readReasons: ["Lý do hay gặp nhất: {reason} ({count} trên {total} câu trả lời).",
    "Most often: {reason} ({count} of {total} answers)."],
  readWinBack: ["Khách vào danh sách tháng {month}: {contacted} khách được liên hệ quay lại, "
    + "{heldOut} khách không liên hệ.", "Listed in {month}: {contacted} of those contacted "
    + "came back, {heldOut} of those left alone."],
  axisAnswers: ["Câu trả lời", "Answers"],
  axisWonBack: ["Quay lại trong thời hạn", "Came back in time"],
  seriesCall: ["Qua cuộc gọi", "On a call"],
  seriesSurvey: ["Qua phiếu hỏi", "In the exit survey"],
  tipWinBack: ["{group}: {share} của {n} khách", "{group}: {share} of {n} customers"],
  readStatuses: ["Ngày {day}: {active} khách đều đặn, {drifting} khách cần để ý, có nguy cơ "
    + "hoặc đã lâu không ghé.", "On {day}: {active} regular customers, {drifting} to watch, "
    + "at risk or lapsed."],
  readReturning: ["Tuần từ {week}: {share} khách là khách quay lại ({back}/{people}).",
    "Week from {week}: {share} of customers were returning ones ({back}/{people})."],
  readActivity: ["Tuần từ {week}: {visits} lượt ghé, {sales} đơn hàng, tổng {total}.",
    "Week from {week}: {visits} visits, {sales} sales, {total} in all."],
  readCohorts: ["Khách mới tháng {month}: {share} quay lại vào tháng sau.",
    "New customers of {month}: {share} came back the month after."],
  readCohortsNew: ["Mỗi hàng là khách mới của một tháng; ô càng đậm, càng nhiều khách còn ghé.",
    "Each row is a month's new customers; the darker a cell, the more still visit."],
  readStaffRatings: ["Tháng {month}: {name} được đánh giá cao nhất, {average}/5 ({answers} "
    + "câu trả lời).", "{month}: {name} rated highest, {average}/5 ({answers} answers)."],
  axisCustomers: ["Khách", "Customers"],
  axisReturning: ["Khách quay lại", "Returning customers"],
  axisVisits: ["Lượt ghé", "Visits"],
  axisSales: ["Đơn hàng", "Sales"],
  axisSalesVnd: ["Doanh số (₫)", "Sales (₫)"],
  axisMonthsAfter: ["Tháng sau tháng đầu", "Months after the first"],
  axisRating: ["Điểm nhân viên (1–5)", "Staff rating (1–5)"],
  tipReturning: ["{share} ({back}/{people} khách)", "{share} ({back}/{people} customers)"],
  tipCohort: ["{month}, +{k} tháng: {share} ({size} khách mới)",
    "{month}, +{k} months: {share} ({size} new customers)"],
  tipRating: ["{name}: {average}/5 ({answers} câu trả lời)",
    "{name}: {average}/5 ({answers} answers)"],
});

const STATUSES = [["new", "#7f9cc7"], ["active", "#0a7d3b"], ["watch", "#f5c518"],
  ["at_risk", "#d9480f"], ["lapsed", "#b00020"]];
const LINES = ["#0b4ea2", "#d9480f", "#0a7d3b", "#8e44ad", "#b8860b", "#008b8b", "#c2185b"];
const decimal = (value) => new Intl.NumberFormat(locale(), { minimumFractionDigits: 1,
  maximumFractionDigits: 1 }).format(value);
const last = (items) => items[items.length - 1];
/** "2026-04" for "2026-03". */
function nextMonth(name) {
  const [year, month] = name.split("-").map(Number);
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 7);
}
const axis = (key, extra = {}) => ({ title: { display: true, text: t(key) }, ...extra });

const statuses = {
  name: "statuses",
  title: "chartStatuses",
  reading(data) {
    const day = last(records(data));
    return t("readStatuses", { day: dayLabel(day.day), active: number(day.active),
      drifting: number(day.watch + day.at_risk + day.lapsed) });
  },
  config: (data) => ({
    type: "line",
    data: { labels: records(data).map((row) => dayLabel(row.day)),
      datasets: STATUSES.map(([status, colour]) => ({ label: t(`rhythm_${status}`),
        data: records(data).map((row) => row[status]), borderColor: colour,
        backgroundColor: `${colour}99`, fill: true, pointRadius: 0 })) },
    options: { interaction: { mode: "index", intersect: false },
      scales: { x: {}, y: axis("axisCustomers", { stacked: true, beginAtZero: true }) } },
  }),
};

const returning = {
  name: "returning",
  title: "chartReturning",
  reading(data) {
    const week = lastWhole(records(data).filter((row) => row.customers), data, "week");
    return week && t("readReturning", { week: dayLabel(week.week),
      share: percent(week.returning_share), back: number(week.returning),
      people: number(week.customers) });
  },
  config(data) {
    const rows = records(data);
    return {
      type: "line",
      data: { labels: rows.map((row) => dayLabel(row.week)),
        datasets: [{ label: t("axisReturning"), data: rows.map((row) => row.returning_share),
          borderColor: LINES[0], backgroundColor: LINES[0], spanGaps: true }] },
      options: { scales: { x: {}, y: axis("axisReturning", { min: 0, max: 1,
        ticks: { callback: (value) => percent(value) } }) },
      plugins: { tooltip: { callbacks: { label: (item) => t("tipReturning", {
        share: percent(item.raw ?? 0, 1), back: number(rows[item.dataIndex].returning),
        people: number(rows[item.dataIndex].customers) }) } } } },
    };
  },
};

const activity = {
  name: "activity",
  title: "chartActivity",
  reading(data) {
    const week = lastWhole(records(data), data, "week");
    return t("readActivity", { week: dayLabel(week.week), visits: number(week.visits),
      sales: number(week.sales), total: money(week.sales_vnd) });
  },
  config(data) {
    const rows = records(data);
    return {
      data: { labels: rows.map((row) => dayLabel(row.week)), datasets: [
        { type: "bar", label: t("axisVisits"), data: rows.map((row) => row.visits),
          backgroundColor: "#9fb8dd", yAxisID: "y" },
        { type: "bar", label: t("axisSales"), data: rows.map((row) => row.sales),
          backgroundColor: "#0b4ea2", yAxisID: "y" },
        { type: "line", label: t("axisSalesVnd"), data: rows.map((row) => row.sales_vnd),
          borderColor: "#d9480f", backgroundColor: "#d9480f", yAxisID: "money" }] },
      options: { interaction: { mode: "index", intersect: false },
        scales: { x: {}, y: axis("axisVisits", { beginAtZero: true, position: "left" }),
          money: axis("axisSalesVnd", { beginAtZero: true, position: "right",
            grid: { drawOnChartArea: false }, ticks: { callback: compact } }) },
        plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${
          item.dataset.yAxisID === "money" ? money(item.raw) : number(item.raw)}` } } } },
    };
  },
};

const cohorts = {
  name: "cohorts",
  title: "chartCohorts",
  reading(data) {
    // The month after the cohort's must have ended: a share of a few days says little.
    const month = records(data).filter((row) => row.m1 !== null
      && nextMonth(row.month) < data.last_day.slice(0, 7)).pop();
    return month ? t("readCohorts", { month: monthLabel(month.month), share: percent(month.m1) })
      : t("readCohortsNew");
  },
  config(data) {
    const rows = records(data);
    // The months after the first that the span reaches (a six months' span: +0 to +5).
    const months = data.columns.filter((column) => /^m\d+$/.test(column)
      && rows.some((row) => row[column] !== null));
    const cells = rows.flatMap((row) => months.filter((column) => row[column] !== null)
      .map((column) => ({ x: `+${column.slice(1)}`, y: monthLabel(row.month), v: row[column],
        size: row.customers })));
    return {
      type: "matrix",
      data: { datasets: [{ label: t("chartCohorts"), data: cells,
        backgroundColor: (context) => `rgba(11, 78, 162, ${0.08 + 0.92
          * (context.raw?.v ?? 0)})`,
        borderColor: "#fff", borderWidth: 1,
        width: ({ chart }) => (chart.chartArea || {}).width / months.length - 1,
        height: ({ chart }) => (chart.chartArea || {}).height / rows.length - 1 }] },
      options: {
        scales: {
          x: axis("axisMonthsAfter", { type: "category", labels: months.map((m) => `+${m.slice(1)}`),
            offset: true, grid: { display: false }, ticks: { maxTicksLimit: months.length } }),
          // The oldest month on top (the matrix chart turns its y axis upside down by default).
          y: { type: "category", labels: rows.map((row) => monthLabel(row.month)), offset: true,
            reverse: false, grid: { display: false }, ticks: { maxTicksLimit: rows.length } },
        },
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          title: () => "",
          label: (item) => t("tipCohort", { month: item.raw.y, k: item.raw.x.slice(1),
            share: percent(item.raw.v, 1), size: number(item.raw.size) }) } } },
      },
      plugins: [cellValues],
    };
  },
};

// The share written in each cell of the heat map where it fits (white on dark cells).
const cellValues = {
  id: "cellValues",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const meta = chart.getDatasetMeta(0);
    ctx.save();
    ctx.font = "11px 'DejaVu Sans', sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    meta.data.forEach((cell, index) => {
      const { x, y, width, height } = cell.getProps(["x", "y", "width", "height"], true);
      const raw = chart.data.datasets[0].data[index];
      const label = percent(raw.v);
      if (width < ctx.measureText(label).width + 4 || height < 14) return;
      ctx.fillStyle = raw.v > 0.45 ? "#fff" : "#12263f";
      ctx.fillText(label, x + width / 2, y + height / 2);
    });
    ctx.restore();
  },
};

const staffRatings = {
  name: "staff_ratings",
  title: "chartStaffRatings",
  reading(data) {
    const rows = records(data);
    const { month } = lastWhole(rows, data, "month");
    const best = rows.filter((row) => row.month === month)
      .sort((a, b) => b.average - a.average || b.answers - a.answers)[0];
    return t("readStaffRatings", { month: monthLabel(month), name: best.staff_name,
      average: decimal(best.average), answers: number(best.answers) });
  },
  config(data) {
    const rows = records(data);
    const months = [...new Set(rows.map((row) => row.month))].sort();
    const people = [...new Map(rows.map((row) => [row.staff_id, row.staff_name]))];
    return {
      type: "line",
      data: { labels: months.map(monthLabel), datasets: people.map(([id, name], index) => {
        const theirs = new Map(rows.filter((row) => row.staff_id === id)
          .map((row) => [row.month, row]));
        return { label: name, borderColor: LINES[index % LINES.length],
          backgroundColor: LINES[index % LINES.length], spanGaps: true,
          data: months.map((month) => theirs.get(month)?.average ?? null),
          answers: months.map((month) => theirs.get(month)?.answers ?? 0) };
      }) },
      options: { scales: { x: {}, y: axis("axisRating", { min: 1, max: 5 }) },
        plugins: { tooltip: { callbacks: { label: (item) => t("tipRating", {
          name: item.dataset.label, average: decimal(item.raw),
          answers: number(item.dataset.answers[item.dataIndex]) }) } } } },
    };
  },
};

const reasons = {
  name: "reasons",
  title: "chartReasons",
  reading(data) {
    const rows = records(data);
    const top = [...rows].sort((a, b) => b.total - a.total)[0];
    const total = rows.reduce((sum, row) => sum + row.total, 0);
    return t("readReasons", { reason: t(`leaveReason_${top.reason}`).toLowerCase(),
      count: number(top.total), total: number(total) });
  },
  config(data) {
    const rows = records(data);
    return {
      type: "bar",
      data: { labels: rows.map((row) => t(`leaveReason_${row.reason}`)), datasets: [
        { label: t("seriesCall"), data: rows.map((row) => row.call), backgroundColor: LINES[0] },
        { label: t("seriesSurvey"), data: rows.map((row) => row.survey),
          backgroundColor: "#9fb8dd" }] },
      options: { indexAxis: "y", scales: { x: axis("axisAnswers", { stacked: true,
        beginAtZero: true, ticks: { precision: 0 } }), y: { stacked: true } } },
    };
  },
};

const winBack = {
  name: "win_back",
  title: "chartWinBack",
  reading(data) {
    const month = records(data).filter((row) => row.contacted_n && row.held_out_n).pop();
    return month && t("readWinBack", { month: monthLabel(month.month),
      contacted: percent(month.contacted_rate), heldOut: percent(month.held_out_rate) });
  },
  config(data) {
    const rows = records(data);
    const series = (key, colour) => ({ label: t(key === "contacted" ? "winBackContacted"
      : "winBackHeldOut"), backgroundColor: colour, data: rows.map((row) => row[`${key}_rate`]),
    counts: rows.map((row) => row[`${key}_n`]) });
    return {
      type: "bar",
      data: { labels: rows.map((row) => monthLabel(row.month)),
        datasets: [series("contacted", LINES[0]), series("held_out", "#b9c3d1")] },
      options: { scales: { x: {}, y: axis("axisWonBack", { min: 0, max: 1,
        ticks: { callback: (value) => percent(value) } }) },
      plugins: { tooltip: { callbacks: { label: (item) => t("tipWinBack", {
        group: item.dataset.label, share: percent(item.raw ?? 0, 1),
        n: number(item.dataset.counts[item.dataIndex]) }) } } } },
    };
  },
};

export const CHARTS = [statuses, returning, activity, cohorts, staffRatings, reasons, winBack];

/** This month and the five before, to today (the venue's days). */
function defaultSpan() {
  const today = toLocalInput(new Date().toISOString()).slice(0, 10);
  const [year, month] = today.split("-").map(Number);
  const first = new Date(Date.UTC(year, month - 6, 1)).toISOString().slice(0, 10);
  return { from: first, to: today };
}

export async function insightsView(root, context) {
  root.append(el("h1", { text: t("navInsights") }));
  if (context.me.role !== "admin") {
    root.append(el("p", { class: "panel owner-only", text: t("insightsOwnerOnly") }));
    return;
  }
  const span = defaultSpan();
  const from = el("input", { type: "date", name: "from", value: span.from });
  const to = el("input", { type: "date", name: "to", value: span.to });
  const cards = CHARTS.map((chart) => chartCard({ ...chart, title: t(chart.title) }));
  context.onLeave(() => cards.forEach((card) => card.stop()));
  const showAll = () => Promise.all(cards.map((card) => card.show({ from: from.value,
    to: to.value })));
  const form = el("form", { class: "panel insights-span", onsubmit: (event) => {
    event.preventDefault();
    showAll();
  } }, el("label", {}, t("field_from"), from), el("label", {}, t("field_to"), to),
  el("button", { type: "submit", class: "primary", text: t("insightsShow") }));
  // The proof first (over every case so far, not the span): does contacting drifting
  // customers bring them back, against those left alone at random?
  const proof = el("div");
  root.append(proof, form, el("section", { class: "chart-cards" }, cards.map((card) => card.node)));
  await Promise.all([winBackPanel(proof), showAll()]);
}
