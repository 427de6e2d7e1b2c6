// The page a one-time sign-in link opens (/p/<token>). Opening it spent nothing (a link
// preview opens it too); the customer's press spends the link and opens their page.
import { onLanguage, say } from "/ui/phone-language.js";

const PROBLEMS = {
  404: ["Không tìm thấy liên kết đăng nhập này. Hãy yêu cầu một liên kết mới.",
    "This sign-in link was not found. Ask for a new one."],
  410: ["Liên kết đăng nhập này đã hết hạn hoặc đã được dùng. Hãy yêu cầu một liên kết mới.",
    "This sign-in link has expired or was already used. Ask for a new one."],
  0: ["Không kết nối được. Hãy kiểm tra mạng rồi bấm lại.",
    "Could not connect. Check the network and press again."],
  500: ["Có lỗi xảy ra. Hãy thử lại sau ít phút.", "Something went wrong. Try again in a few minutes."],
};
const button = document.getElementById("open");
const problem = document.getElementById("open-problem");
let shown = null; // the problem on screen, said again in the language chosen

function showProblem() {
  problem.hidden = shown === null;
  if (shown !== null) problem.textContent = say(PROBLEMS[shown]);
  document.getElementById("new-link").hidden = shown !== 404 && shown !== 410;
}

async function open() {
  button.disabled = true;
  shown = null;
  showProblem();
  try {
    const response = await fetch("/api/v1/portal/session", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: button.dataset.token }) });
    if (response.ok) {
      location.replace((await response.json()).go);
      return;
    }
    shown = response.status in PROBLEMS ? response.status : 500;
  } catch (error) {
    shown = 0;
  }
  showProblem();
  button.disabled = shown === 404 || shown === 410; // spent: pressing again cannot help
}

button.addEventListener("click", open);
onLanguage(showProblem);
