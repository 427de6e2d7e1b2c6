// Calls to the server from the customer's page: JSON in and out, the portal cookie sent by
// the browser; a refusal becomes a `Refusal` holding the sentence to show.
import { has, t } from "./words.js";

const FIELDS = { full_name: "fullName", phone: "phone", email: "email" };

export class Refusal extends Error {
  constructor(status, sentence, code) {
    super(sentence);
    this.status = status;
    this.code = code;
  }
}

function sentence(status, body) {
  const error = body?.error;
  if (error) {
    if (error.code === "too_many_requests") {
      return t("too_many_requests", { minutes: Math.ceil((error.retry_after_s || 60) / 60) });
    }
    return has(error.code) ? t(error.code) : t("failed");
  }
  const problem = Array.isArray(body?.detail) ? body.detail[0] : null;
  if (problem) {
    const field = t(FIELDS[problem.loc?.[problem.loc.length - 1]] || "failed");
    return has(problem.type) ? t(problem.type, { field }) : t("failed");
  }
  return status === 401 ? t("sessionEnded") : t("failed");
}

export async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method, credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Refusal(0, t("offline"), "offline");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new Refusal(response.status, sentence(response.status, data), data?.error?.code);
  }
  return data;
}
