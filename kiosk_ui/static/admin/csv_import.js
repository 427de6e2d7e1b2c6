// A CSV import (customers, or an event's guests): the file chosen is first previewed (the
// server checks every row and saves nothing): the counts, the first 50 rows each with what
// importing does to it or why it is skipped; then one button imports the good rows and
// skips the bad ones, and the answer names the existing customers who were matched.
import { api, query } from "./api.js";
import { t } from "./i18n.js";
import { actionButton, el, link, messageOf, number, table } from "./ui.js";

const MATCHES_SHOWN = 50;
// Problems of the whole file (the server's `FILE_PROBLEMS`): nothing in it can be imported.
const FILE_PROBLEMS = new Set(["not_utf8", "empty_file", "missing_column", "bad_csv",
  "too_many_rows"]);
const ofFile = (problem) => FILE_PROBLEMS.has(problem.code);
// The customers' report says `created`, an event's `created_customers`.
const created = (answer) => answer.created ?? answer.created_customers;
const existing = (answer) => answer.existing ?? answer.existing_customers;
const OTHER_PROBLEMS_SHOWN = 50;

/** A problem of a row as a sentence in the page's language. */
export function problemText(problem) {
  return t(`import_${problem.code}`, {}, t("import_other"));
}

function outcome(line, names) {
  if (line.status === "bad") {
    return el("td", { class: "problems" }, line.problems.map((problem) => el("span", {
      class: "error", text: problemText(problem) })));
  }
  return el("td", { class: line.status, text: line.status === "existing"
    ? t("rowExisting", { name: names.get(line.row) ?? `#${line.customer_id}` })
    : t("rowNew") });
}

// An empty cell says so with a dash; on a phone, where rows are lines of text, it is left out.
const cell = (text) => el("td", { text: text || "—", class: text ? null : "none" });

function rowsTable(answer) {
  const names = new Map(answer.matched.map((match) => [match.row, match.full_name]));
  const { node, body } = table([t("csvRow"), t("fullName"), t("phone"), t("email"),
    t("importOutcome")], "import-rows");
  body.append(...answer.preview.map((line) => el("tr", {
    class: line.status, dataset: { row: line.row, status: line.status } },
  el("td", { text: line.row }), cell(line.full_name), cell(line.phone), cell(line.email),
  outcome(line, names))));
  return node;
}

/** Bad rows beyond the ones the table shows. */
function otherProblems(answer) {
  const shown = new Set(answer.preview.map((line) => line.row));
  const others = answer.errors.filter((problem) => !shown.has(problem.row) && !ofFile(problem));
  if (!others.length) return null;
  return el("div", { class: "other-problems" },
    el("p", { text: t("otherBadRows", { n: number(new Set(others.map((p) => p.row)).size) }) }),
    el("ul", {}, others.slice(0, OTHER_PROBLEMS_SHOWN).map((problem) => el("li", {
      dataset: { row: problem.row },
      text: t("rowProblem", { row: problem.row, problem: problemText(problem) }) }))));
}

/** The preview: the counts, the first rows, and what the file as a whole cannot do. */
function previewReport(answer) {
  const fileProblems = answer.errors.filter(ofFile);
  const parts = [el("p", { class: "summary", text: t("importCounts", {
    rows: number(answer.rows), good: number(answer.good), created: number(created(answer)),
    existing: number(existing(answer)), bad: number(answer.bad) }) })];
  if (fileProblems.length) {
    parts.push(...fileProblems.map((problem) => el("p", { class: "error",
      text: problemText(problem) })));
  }
  if (answer.already_saved) {
    parts.push(el("p", { class: "hint already", text: t("alreadySaved",
      { n: number(answer.already_saved) }) }));
  }
  if (answer.preview.length) {
    parts.push(rowsTable(answer));
    if (answer.rows > answer.preview.length) {
      parts.push(el("p", { class: "hint", text: t("firstRowsOnly",
        { shown: answer.preview.length, rows: number(answer.rows) }) }));
    }
  }
  parts.push(otherProblems(answer));
  return el("div", { class: `import-report ${answer.bad || fileProblems.length ? "bad" : "ok"}` },
    ...parts);
}

/** After the import: what was saved, and which existing customers were used. */
function doneReport(answer, doneText) {
  const matched = answer.matched.slice(0, MATCHES_SHOWN);
  const parts = [el("p", { class: "ok done", text: doneText(answer) })];
  if (answer.bad) parts.push(el("p", { text: t("badSkipped", { n: number(answer.bad) }) }));
  if (answer.already_saved) {
    parts.push(el("p", { class: "hint", text: t("alreadySavedDone",
      { n: number(answer.already_saved) }) }));
  }
  if (matched.length) {
    parts.push(el("p", { text: t("matchedIntro", { n: number(existing(answer)) }) }),
      el("ul", { class: "matched" }, matched.map((match) => el("li", {
        dataset: { customerId: match.customer_id } },
      link(`#/customers/${match.customer_id}`, match.full_name),
      ` · ${t(match.matched_by === "email" ? "matchedByEmail" : "matchedByPhone",
        { row: match.row })}`))));
    if (existing(answer) > matched.length) {
      parts.push(el("p", { class: "hint", text: t("moreMatched",
        { n: number(existing(answer) - matched.length) }) }));
    }
  }
  return el("div", { class: "import-report done" }, ...parts);
}

/**
 * The file input, the preview, the import button and its answer. `path`: the import
 * endpoint; `importLabel(answer)`: the button's words; `doneText(answer)`: the sentence
 * after the import; `onImported(answer)`: what the page does then.
 */
export function csvImport({ path, className, title, importLabel, doneText, onImported }) {
  const input = el("input", { type: "file", accept: ".csv,text/csv", name: "csv",
    class: "file-input" });
  const chosen = el("span", { class: "file-name", text: t("noFileChosen") });
  // The browser's own file button speaks the browser's language: this one the page's.
  const picker = el("label", { class: "file-pick" }, el("span", { class: "button",
    text: t("chooseCsv") }), input, chosen);
  const result = el("div", { class: "import-result", "aria-live": "polite" });
  let file = null; // the file previewed: the import sends this one, with its digest
  let digest = null;

  const confirm = actionButton("", async () => {
    const answer = await api(`${path}${query({ skip_bad_rows: true, preview: digest })}`, {
      method: "POST", file });
    file = null;
    input.value = "";
    confirm.hidden = true;
    result.replaceChildren(doneReport(answer, doneText));
    await onImported(answer);
  }, "primary");
  confirm.hidden = true;

  input.addEventListener("change", async () => {
    file = input.files[0] || null;
    chosen.textContent = file ? file.name : t("noFileChosen");
    confirm.hidden = true;
    result.replaceChildren();
    if (!file) return;
    const checking = file;
    result.append(el("p", { class: "hint", text: t("checking") }));
    try {
      const answer = await api(`${path}?dry_run=true`, { method: "POST", file: checking });
      if (checking !== file) return; // another file was chosen meanwhile
      digest = answer.digest;
      result.replaceChildren(previewReport(answer));
      const nothingLeft = answer.already_saved >= answer.good;
      const blocked = answer.errors.some(ofFile);
      confirm.textContent = importLabel(answer);
      confirm.hidden = blocked || answer.good === 0 || nothingLeft;
    } catch (error) {
      if (checking === file) result.replaceChildren(el("p", { class: "error",
        text: messageOf(error) }));
    }
  });
  return el("div", { class: className }, title ? el("h3", { text: title }) : null,
    el("p", { class: "hint", text: t("csvHint") }), picker, result, confirm);
}
