// The owner's charts, drawn by Chart.js (from npm, served by Kiosk under /ui/vendor: pages
// never load from another host) and, for heat maps, its matrix chart. A card is a title, a
// one-sentence reading, the chart, and its two downloads (the chart as PNG on white, its
// table as CSV from the API); adding a chart is a `chartCard` with its `config`.
import { api, query } from "./api.js";
import { addWords, lang, t } from "./i18n.js";
import { el, messageOf } from "./ui.js";

addWords({
  chartNoData: ["Chưa có dữ liệu.", "No data yet."],
  chartPng: ["Tải ảnh PNG", "Download PNG"],
  chartCsv: ["Tải CSV", "Download CSV"],
});

const PHONE_WIDTH = 500; // a narrower chart gets fewer ticks
let library = null;

/** Chart.js, then its matrix chart (which registers itself on it): loaded on first use. */
export function chartLibrary() {
  library ??= import("/ui/vendor/chartjs/chart.umd.min.js")
    .then(() => import("/ui/vendor/chartjs-matrix/chartjs-chart-matrix.min.js"))
    .then(() => globalThis.Chart)
    .catch((error) => {
      library = null;
      throw error;
    });
  return library;
}

export const locale = () => (lang() === "en" ? "en-GB" : "vi-VN");

/** "38 %" / "38%": a share (0 to 1) as the page's language writes a percentage. */
export const percent = (share, digits = 0) => new Intl.NumberFormat(locale(), {
  style: "percent", maximumFractionDigits: digits }).format(share);

/** "77 Tr" / "77M": a large number shortened, for an axis. */
export const compact = (value) => new Intl.NumberFormat(locale(), { notation: "compact" })
  .format(value);

/** A day ("2026-03-09") shortened for an axis: "9/3" (vi), "9 Mar" (en). */
export function dayLabel(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: lang() === "en"
    ? "short" : "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, day)));
}

/** A month ("2026-03"): "3/2026" / "Mar 2026". */
export function monthLabel(name) {
  const [year, month] = name.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { month: lang() === "en" ? "short" : "numeric",
    year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, 1)));
}

/** The last of `rows` whose period (a week from its Monday, or a month) had ended by the
 * span's last day: "last week" is the whole one before this, not this one's first days.
 * The last row when none had (a span shorter than a period). */
export function lastWhole(rows, data, key) {
  const ended = (row) => (key === "month" ? row.month < data.last_day.slice(0, 7)
    : Date.parse(row[key]) + 6 * 86_400_000 <= Date.parse(data.last_day));
  return rows.filter(ended).pop() ?? rows[rows.length - 1];
}

/** The chart's rows as objects keyed by its columns. */
export const records = (data) => data.rows.map((row) => Object.fromEntries(
  data.columns.map((column, index) => [column, row[index]])));

// Painted under everything: the PNG is on white, like the page, not transparent.
const whiteBackground = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** What every chart shares: the legend under it, the page's language for numbers, no
 * animation, fewer ticks on a phone. */
function common(config, canvas) {
  const narrow = canvas.parentElement.clientWidth < PHONE_WIDTH;
  const options = config.options ?? {};
  for (const scale of Object.values(options.scales ?? {})) {
    scale.ticks = { maxTicksLimit: narrow ? 5 : 10, ...scale.ticks };
  }
  return { ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      locale: locale(), ...options,
      plugins: { legend: { position: "bottom", labels: { boxWidth: narrow ? 10 : 14 } },
        ...options.plugins } },
    plugins: [whiteBackground, ...(config.plugins ?? [])] };
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A chart's card. `name`: the chart's name in /api/v1/insights/<name>; `title`: its title;
 * `reading(data)`: one sentence on what it shows (or null); `config(data)`: the Chart.js
 * configuration of its data (labels, legend and tooltips in the page's language).
 * `show(span)` loads and draws it for a span {from, to}; `stop()` frees the chart.
 */
export function chartCard({ name, title, reading, config }) {
  const text = el("p", { class: "chart-reading" });
  const box = el("div", { class: "chart-box" });
  const png = el("button", { type: "button", class: "chart-png", text: t("chartPng"),
    disabled: true });
  const csv = el("a", { class: "button chart-csv", text: t("chartCsv"), download: "" });
  const node = el("article", { class: "panel chart-card", dataset: { chart: name } },
    el("h2", { text: title }), text, box, el("p", { class: "links" }, png, csv));
  let chart = null;
  let filename = name;
  png.addEventListener("click", () => chart?.canvas.toBlob(
    (blob) => download(blob, `${filename}.png`), "image/png"));

  const stop = () => {
    chart?.destroy();
    chart = null;
  };

  async function show(span) {
    stop();
    node.dataset.state = "loading";
    png.disabled = true;
    csv.href = `/api/v1/insights/${name}.csv${query(span)}`;
    try {
      const [data, Chart] = await Promise.all([api(`/insights/${name}${query(span)}`),
        chartLibrary()]);
      filename = `kiosk-${name}-${data.first_day}-${data.last_day}`;
      csv.download = `${filename}.csv`;
      text.textContent = data.rows.length ? (reading(data) ?? "") : "";
      if (!data.rows.length) {
        box.replaceChildren(el("p", { class: "empty", text: t("chartNoData") }));
        node.dataset.state = "empty";
        return;
      }
      const canvas = el("canvas", { role: "img", "aria-label": title });
      box.replaceChildren(canvas);
      chart = new Chart(canvas, common(config(data), canvas));
      png.disabled = false;
      node.dataset.state = "drawn";
    } catch (error) {
      box.replaceChildren(el("p", { class: "error", text: messageOf(error) }));
      node.dataset.state = "error";
    }
  }

  return { node, show, stop };
}
