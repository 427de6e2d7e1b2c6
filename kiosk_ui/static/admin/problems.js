// The server's 422 as sentences in the page's language. The API answers machine codes
// (`{detail: [{type, loc, ctx}]}`, FastAPI's shape); this turns each into "Label: rule."
// (e.g. "Tên sự kiện: không được để trống."), naming the field. A code with no sentence of
// its own gets a general one: never the server's English `msg`.
import { t } from "./i18n.js";

// Refusals of a whole request body (a model validator's) that are about one field.
const FIELD_OF_CODE = {
  ends_before_start: "ends_at",
  checkin_closes_before_opens: "checkin_closes_at",
  code_or_customer: "code",
  percent_too_high: "thanks_value",
};

// Codes that mean the same to a person.
const SAME_AS = {
  int_type: "int_parsing", int_from_float: "int_parsing", float_parsing: "int_parsing",
  float_type: "int_parsing", bool_parsing: "bool_type", datetime_type: "datetime_parsing",
  datetime_from_date_parsing: "datetime_parsing", timezone_aware: "datetime_parsing",
  timezone_naive: "datetime_parsing", date_type: "date_parsing",
  date_from_datetime_parsing: "date_parsing", date_from_datetime_inexact: "date_parsing",
  literal_error: "enum", string_unicode: "string_type", string_sub_type: "string_type",
  list_type: "value_not_valid", dict_type: "value_not_valid",
  model_attributes_type: "value_not_valid", model_type: "value_not_valid",
  value_error: "value_not_valid", assertion_error: "value_not_valid",
};

/** The field a problem is about (the request's top-level name), or null. */
export function fieldOf(item) {
  if (FIELD_OF_CODE[item.type]) return FIELD_OF_CODE[item.type];
  const name = Array.isArray(item.loc) ? item.loc[1] : undefined;
  return typeof name === "string" ? name : null;
}

/** The rule broken, as the end of a sentence: "không được để trống." */
export function ruleOf(item, field) {
  const ctx = item.ctx && typeof item.ctx === "object" ? item.ctx : {};
  let code = SAME_AS[item.type] || item.type;
  if ((code === "string_too_short" || code === "too_short") && ctx.min_length === 1) {
    code = "empty";
  }
  return t(`problem_${code}_${field}`, ctx, null) ?? t(`problem_${code}`, ctx, null)
    ?? t("problem_value_not_valid");
}

/** A field's name as people see it ("Tên sự kiện"); the request as a whole for null. */
export const labelOf = (field) => (field ? t(`field_${field}`, {}, null) : null)
  ?? t("field_request");

/** FastAPI's `detail` list as [{field, code, rule, message}]. */
export function validationProblems(detail) {
  return detail.map((item) => {
    const field = fieldOf(item);
    const rule = ruleOf(item, field);
    return { field, code: item.type, rule, message: `${labelOf(field)}: ${rule}` };
  });
}
