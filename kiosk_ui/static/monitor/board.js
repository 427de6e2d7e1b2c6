// The monitor's numbers, as /events/{id}/stats gives them: counters, arrivals per minute,
// the entry plan (a forecast only when the server has enough data to make one), each gate,
// and the banner asking for another kiosk while guests queue.
import { t } from "../admin/i18n.js";
import { el, number, timeOfDay } from "../admin/ui.js";
import { gateName, gatePhrase } from "../admin/gates.js";

const SLOW_RESULT_MS = 300; // a kiosk slower than this from scan to answer is flagged
const SVG = "http://www.w3.org/2000/svg";
const CHART = { width: 640, height: 80, side: 12, top: 12, bottom: 16 }; // the viewBox

const $ = (id) => document.getElementById(id);

/** Everything the stats say, in the page's language. */
export function renderStats(stats) {
  renderCounters(stats);
  renderChart(stats.arrivals_by_minute || []);
  renderPlanning(stats.planning);
  $("gate-rows").replaceChildren(...(stats.gates || []).map(gateRow));
  renderQueue(stats.gates || [], stats.planning);
}

function renderCounters(stats) {
  $("invited").textContent = number(stats.invited);
  $("checked-in").textContent = number(stats.checked_in);
  $("missing").textContent = number(stats.not_arrived);
  $("percent").textContent = stats.invited
    ? `${Math.round((100 * stats.checked_in) / stats.invited)}%` : "–";
  $("rate").textContent = number(stats.arrivals_per_minute);
  $("not-arrived-count").textContent = `(${number(stats.not_arrived)})`;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One bar a minute, the current minute last; every third minute labelled. */
function renderChart(minutes) {
  const chart = $("chart");
  chart.setAttribute("aria-label", t("arrivalsChart"));
  const base = CHART.height - CHART.bottom;
  const most = Math.max(1, ...minutes.map((minute) => minute.arrivals));
  const slot = (CHART.width - 2 * CHART.side) / Math.max(minutes.length, 1);
  chart.replaceChildren(svg("line", { class: "axis", x1: 0, x2: CHART.width, y1: base, y2: base }));
  minutes.forEach((minute, index) => {
    const height = ((base - CHART.top) * minute.arrivals) / most;
    const middle = CHART.side + (index + 0.5) * slot;
    const last = index === minutes.length - 1;
    const bar = svg("rect", {
      class: last ? "bar now" : "bar", x: middle - slot / 2 + 2, y: base - height,
      width: slot - 4, height, "data-minute": Date.parse(minute.minute),
      "data-arrivals": minute.arrivals,
    });
    bar.append(svg("title", {}, t("minuteGuests", { time: timeOfDay(minute.minute, false),
      n: minute.arrivals })));
    chart.append(bar);
    if (minute.arrivals) {
      chart.append(svg("text", { class: "count", x: middle, y: base - height - 2 }, minute.arrivals));
    }
    if ((minutes.length - 1 - index) % 3 === 0) {
      chart.append(svg("text", { class: "minute", x: middle, y: CHART.height - 3 },
        timeOfDay(minute.minute, false)));
    }
  });
}

function renderPlanning(planning) {
  if (!planning) return;
  $("plan-line").textContent = planLine(planning);
  const late = planning.late_by_minutes;
  $("plan-late").hidden = late === null || late === undefined;
  if (!$("plan-late").hidden) {
    $("plan-late").textContent = t("lateStart", { minutes: Math.max(1, Math.round(late)),
      start: timeOfDay(planning.starts_at, false) });
  }
}

/** Who is left, at what pace, and when they are all in: or why that cannot be told yet. */
function planLine(planning) {
  if (planning.remaining === 0) return t("everyoneIn");
  const parts = [t("toCome", { n: number(planning.remaining) })];
  if (planning.minutes_to_clear === null) {
    parts.push(t(`gap_${planning.forecast_gap || "no_arrivals"}`));
  } else {
    parts.push(t("paceNow", { pace: number(planning.per_minute) }),
      t("allInWithin", { minutes: Math.max(1, Math.round(planning.minutes_to_clear)) }));
  }
  return `${parts.join(" · ")}.`;
}

function renderQueue(gates, planning) {
  const banner = $("queue-banner");
  const queued = gates.filter((gate) => gate.queue).map((gate) => gatePhrase(gate.gate));
  banner.hidden = !planning?.queue_building || !queued.length;
  banner.textContent = banner.hidden ? "" : t("queueAt", { gates: queued.join(", ") });
}

function gateRow(gate) {
  const slow = gate.median_result_ms !== null && gate.median_result_ms > SLOW_RESULT_MS;
  const result = gate.median_result_ms === null ? "–"
    : `${gate.median_result_ms}${slow ? ` · ${t("slow")}` : ""}`;
  const row = el("tr", { dataset: { gate: gate.gate } },
    [gateName(gate.gate), number(gate.checked_in), number(gate.scans), number(gate.per_minute),
      result, gate.queue ? t("yes") : "–"].map((text) => el("td", { text })));
  row.classList.toggle("slow", slow);
  row.classList.toggle("queue", gate.queue);
  return row;
}
