// Haven chat widget: one script an organisation embeds with
//   <script src="https://haven.example/widget.js" data-server="https://rasa.example" data-language="fr"></script>
// It talks to Rasa's socket.io channel, keeps the conversation across reloads (localStorage), queues
// what is typed while offline and sends it on reconnect, and renders every message as text only.
// On a shared or watched phone nothing must stay behind: "forget me" wipes this device too (the server
// says so with a {"haven": "forget_device"} message), and "Quick exit" wipes it and leaves the page for
// data-exit-url (default: a weather search) without touching the conversation on the server.
import { io } from "socket.io-client";
import { createStrings } from "./strings.js";
import { Store } from "./store.js";

const script = document.currentScript;
//: Where "Quick exit" goes: a page anybody might have open, in any country and language.
const DEFAULT_EXIT_URL = "https://www.google.com/search?q=weather";
// Only a web address: anything else (a typo, "javascript:") would leave the person stuck on the chat.
function exitUrl(value) {
  try {
    const url = new URL(value, window.location.href);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (e) { /* not a URL */ }
  return DEFAULT_EXIT_URL;
}
const config = {
  server: (script && script.dataset.server) || window.location.origin.replace(/:\d+$/, ":5005"),
  language: (script && script.dataset.language) || "en",
  privacyUrl: (script && script.dataset.privacyUrl) || "/privacy",
  title: (script && script.dataset.title) || "Haven",
  open: !!(script && script.dataset.open !== undefined),
  exitUrl: exitUrl((script && script.dataset.exitUrl) || DEFAULT_EXIT_URL),
};
const RTL = new Set(["ar", "fa", "ur", "he"]);
const store = new Store("haven");
let language = store.get("language") || config.language;
let strings = createStrings(language);

// ---------- DOM (created with textContent only: no markup from anyone is ever parsed) ----------
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

const root = el("div", { class: "haven-widget", id: "haven-widget" });
const shadow = root.attachShadow ? root.attachShadow({ mode: "open" }) : root;
shadow.appendChild(el("style", { text: STYLE() }));
const panel = el("section", { class: "panel", role: "dialog", "aria-label": config.title });
const header = el("header", { class: "header" });
const title = el("h2", { class: "title", text: config.title });
const status = el("span", { class: "status", role: "status" });
const languagePicker = el("select", { class: "language", "aria-label": "Language / Langue / اللغة" });
for (const [code, label] of [["en", "English"], ["fr", "Français"], ["ar", "العربية"]]) {
  languagePicker.appendChild(el("option", { value: code, text: label }));
}
const exitButton = el("button", { class: "exit", type: "button" });
// The status goes under the title, so that the quick exit keeps its place at 360 px even while reconnecting.
header.append(el("div", { class: "heading" }, [title, status]), languagePicker, exitButton);
const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
const typing = el("div", { class: "typing", "aria-hidden": "true", hidden: "" }, [el("span"), el("span"), el("span")]);
const quickReplies = el("div", { class: "quick-replies", role: "group" });
const form = el("form", { class: "composer" });
const input = el("textarea", { class: "input", rows: "1", maxlength: "2000" });
const send = el("button", { class: "send", type: "submit" });
form.append(input, send);
const tools = el("div", { class: "tools" });
const locationButton = el("button", { type: "button", class: "tool location" });
const humanButton = el("button", { type: "button", class: "tool human" });
const privacyLink = el("a", { class: "privacy", href: config.privacyUrl, target: "_blank", rel: "noopener" });
tools.append(locationButton, humanButton, privacyLink);
const toggle = el("button", { class: "toggle", type: "button", "aria-expanded": "false" });
panel.append(header, log, typing, quickReplies, form, tools);
shadow.append(toggle, panel);

function applyLanguage(code) {
  language = code;
  strings = createStrings(code);
  store.set("language", code);
  languagePicker.value = code;
  panel.setAttribute("dir", RTL.has(code) ? "rtl" : "ltr");
  panel.setAttribute("lang", code);
  input.setAttribute("placeholder", strings.placeholder);
  input.setAttribute("aria-label", strings.placeholder);
  send.textContent = strings.send;
  locationButton.textContent = strings.shareLocation;
  humanButton.textContent = strings.talkToPerson;
  privacyLink.textContent = strings.privacy;
  exitButton.textContent = strings.quickExit;
  exitButton.setAttribute("title", strings.quickExitTitle);
  toggle.textContent = strings.open;
  toggle.setAttribute("aria-label", strings.open);
  quickReplies.setAttribute("aria-label", strings.suggestions);
  showStatus();
}

// ---------- messages ----------
// The bot's bubbles that arrived live since the user last wrote here, with their arrival time: the forget-me
// confirmation, which arrives just before the instruction, stays on screen after the wipe.
let liveBubbles = [];
//: The confirmation and the instruction are one bot message, sent back to back.
const SAME_MESSAGE_MS = 2000;

function render(message) {
  const bubble = el("div", { class: `message ${message.from}`, dir: "auto" });
  bubble.appendChild(el("span", { class: "visually-hidden", text: message.from === "user" ? strings.you : "Haven: " }));
  for (const [index, line] of String(message.text || "").split("\n").entries()) {
    if (index) bubble.appendChild(el("br"));
    bubble.appendChild(document.createTextNode(line));
  }
  if (message.pending) bubble.classList.add("pending");
  log.appendChild(bubble);
  log.scrollTop = log.scrollHeight;
  if (message.from === "user") liveBubbles = [];
  else liveBubbles.push({ bubble, at: Date.now() });
  return bubble;
}

function showQuickReplies(replies) {
  quickReplies.replaceChildren();
  for (const reply of replies || []) {
    quickReplies.appendChild(el("button", {
      type: "button", class: "quick-reply", dir: "auto", text: reply.title,
      onclick: () => userSays(reply.title, reply.payload),
    }));
  }
}

function restore() {
  for (const message of store.get("history") || []) render(message);
  liveBubbles = [];
  showQuickReplies(store.get("quickReplies"));
}

function remember(message) {
  const history = store.get("history") || [];
  history.push(message);
  store.set("history", history.slice(-200));
}

// ---------- the connection ----------
// The session id is whatever string the server confirmed (it may be a signed token): stored and sent back
// exactly as received, never made up here.
let sessionId = store.get("session");
let requestedId = null;
let confirmed = false;
const socket = io(config.server, { transports: ["websocket", "polling"], reconnection: true,
  reconnectionDelay: 500, reconnectionDelayMax: 4000 });

function showStatus() {
  status.textContent = confirmed ? "" : strings.offline;
  panel.classList.toggle("is-offline", !confirmed);
}

socket.on("connect", () => {
  requestedId = sessionId;
  socket.emit("session_request", { session_id: sessionId });
});
socket.on("session_confirm", (answer) => {
  const id = typeof answer === "string" ? answer
    : (answer && typeof answer.session_id === "string" && answer.session_id) || sessionId;
  // A different id than the one asked for means the server did not accept the old one (expired, forged,
  // forgotten): this is a new conversation, and the old one must not be shown as if it continued.
  if (requestedId && id !== requestedId) dropConversation();
  sessionId = id;
  store.set("session", sessionId);
  confirmed = true;
  showStatus();
  flushOutbox();
});
socket.on("disconnect", () => { confirmed = false; showStatus(); });
// The layout follows the language the bot answers in: right to left as soon as it answers in Arabic.
function followBotLanguage(text) {
  const letters = (String(text).match(/\p{L}/gu) || []).length;
  const arabic = (String(text).match(/[\u0600-\u06FF]/g) || []).length;
  if (!letters) return;
  if (arabic / letters > 0.5 && !RTL.has(language)) {
    store.set("latinLanguage", language);
    applyLanguage("ar");
  } else if (arabic / letters < 0.2 && RTL.has(language)) {
    applyLanguage(store.get("latinLanguage") || "en");
  }
}

socket.on("bot_uttered", (message) => {
  typing.hidden = true;
  if (message && message.haven === "forget_device") { forgetDevice(); return; }
  if (message && message.text) {
    followBotLanguage(message.text);
    const entry = { from: "bot", text: message.text };
    render(entry);
    remember(entry);
  }
  const replies = (message && message.quick_replies) || [];
  store.set("quickReplies", replies);
  showQuickReplies(replies);
});

function flushOutbox() {
  const outbox = store.get("outbox") || [];
  if (outbox.length) store.set("outbox", []);
  for (const item of outbox) deliver(item);
  for (const node of log.querySelectorAll(".pending")) node.classList.remove("pending");
}

function deliver(item) {
  socket.emit("user_uttered", { message: item.payload, session_id: sessionId, metadata: { language } });
  typing.hidden = false;
  setTimeout(() => { typing.hidden = true; }, 15000);
}

function userSays(text, payload) {
  const item = { payload: payload || text, text };
  const entry = { from: "user", text };
  showQuickReplies([]);
  store.set("quickReplies", []);
  remember(entry);
  if (confirmed && socket.connected) {
    render(entry);
    deliver(item);
  } else {
    render({ ...entry, pending: true });
    store.set("outbox", [...(store.get("outbox") || []), item]);
  }
}

// ---------- leaving nothing on this device ----------
function wipeDevice() {
  store.clear();
  log.replaceChildren();
  showQuickReplies([]);
  typing.hidden = true;
  liveBubbles = [];
}

// A new conversation on this connection: session_request without an id, so the server issues a new one.
function startNewSession() {
  sessionId = null;
  socket.disconnect();
  confirmed = false;
  showStatus();
  socket.connect();
}

// "Forget me" was recorded on the server: this device forgets too, keeping only the confirmation on
// screen (it is not stored, so a reload shows an empty chat).
function forgetDevice() {
  const since = Date.now() - SAME_MESSAGE_MS;
  const confirmation = liveBubbles.filter((live) => live.at >= since);
  wipeDevice();
  log.append(...confirmation.map((live) => live.bubble));
  startNewSession();
}

// The server started a new conversation: the old one goes, what was typed offline is still sent.
function dropConversation() {
  const outbox = store.get("outbox") || [];
  store.set("history", []);
  store.set("quickReplies", []);
  log.replaceChildren();
  showQuickReplies([]);
  liveBubbles = [];
  for (const item of outbox) {
    const entry = { from: "user", text: item.text || item.payload };
    remember(entry);
    render({ ...entry, pending: true });
  }
}

// Quick exit: wipe this device and leave at once. replace() so that Back does not return to the chat.
// The conversation on the server is kept (that is what "forget me" is for).
function quickExit() {
  wipeDevice();
  input.value = "";
  socket.disconnect();
  window.location.replace(config.exitUrl);
}

// Another tab of this site wiped the device (forget me, quick exit): this one must not keep showing the
// conversation, nor write it back.
window.addEventListener("storage", (event) => {
  if (event.key !== null && event.key !== `${store.prefix}:session`) return;
  if (event.newValue !== null || !sessionId) return;
  wipeDevice();
  startNewSession();
});

// ---------- controls ----------
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  userSays(text);
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});
languagePicker.addEventListener("change", () => {
  applyLanguage(languagePicker.value);
  userSays(languagePicker.selectedOptions[0].textContent, `/choose_language{"language": "${languagePicker.value}"}`);
});
humanButton.addEventListener("click", () => userSays(strings.talkToPerson, "/request_human"));
locationButton.addEventListener("click", () => {
  if (!navigator.geolocation) { render({ from: "bot", text: strings.noLocation }); return; }
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const { latitude, longitude } = position.coords;
      // About 1 km is enough for the nearest centre; the exact position never leaves the phone.
      userSays(strings.locationShared, `/share_location{"latitude": ${latitude.toFixed(2)}, "longitude": ${longitude.toFixed(2)}}`);
    },
    () => render({ from: "bot", text: strings.noLocation }),
    { timeout: 10000, maximumAge: 60000 });
});
exitButton.addEventListener("click", quickExit);
toggle.addEventListener("click", () => setOpen(!panel.classList.contains("open")));
function setOpen(open) {
  panel.classList.toggle("open", open);
  toggle.setAttribute("aria-expanded", String(open));
  store.set("open", open);
  if (open) input.focus();
}

function STYLE() {
  return `
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", sans-serif; }
  .toggle { position: fixed; inset-inline-end: 16px; bottom: 16px; z-index: 2147483000; border: 0; border-radius: 24px;
    padding: 12px 18px; background: #0b5cab; color: #fff; font-size: 16px; cursor: pointer; }
  .panel { position: fixed; inset-inline-end: 16px; bottom: 72px; z-index: 2147483000; width: min(380px, calc(100vw - 16px));
    height: min(600px, calc(100vh - 96px)); display: none; flex-direction: column; background: #fff; color: #1b1b1b;
    border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; font-size: 15px; }
  .panel.open { display: flex; }
  @media (max-width: 480px) { .panel { inset: 0; width: 100vw; height: 100vh; border-radius: 0; bottom: 0; } .panel.open ~ .toggle, .panel.open + .toggle { display: none; } }
  .header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: #0b5cab; color: #fff; }
  .heading { flex: 1; min-width: 0; display: flex; flex-direction: column; }
  .title, .status { margin: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .title { font-size: 17px; }
  .status { font-size: 12px; }
  .language { font-size: 14px; padding: 4px; border-radius: 6px; border: 0; }
  .exit { flex: none; border: 2px solid #fff; border-radius: 6px; padding: 4px 10px; background: #b3261e; color: #fff;
    font-size: 14px; font-weight: 600; white-space: nowrap; cursor: pointer; }
  .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f4f6f8; }
  .message { max-width: 85%; padding: 8px 12px; border-radius: 12px; line-height: 1.4; white-space: pre-wrap; overflow-wrap: anywhere; }
  .message.bot { align-self: flex-start; background: #fff; border: 1px solid #dde3ea; }
  .message.user { align-self: flex-end; background: #0b5cab; color: #fff; }
  .message.pending { opacity: .6; }
  .typing { padding: 0 16px 6px; background: #f4f6f8; }
  .typing span { display: inline-block; width: 7px; height: 7px; margin-inline-end: 3px; border-radius: 50%; background: #7a8794; animation: blink 1s infinite; }
  .typing span:nth-child(2) { animation-delay: .2s; } .typing span:nth-child(3) { animation-delay: .4s; }
  @keyframes blink { 50% { opacity: .2; } }
  .quick-replies { display: flex; flex-wrap: wrap; gap: 6px; padding: 6px 10px; background: #f4f6f8; }
  .quick-reply { border: 1px solid #0b5cab; color: #0b5cab; background: #fff; border-radius: 16px; padding: 6px 12px; font-size: 14px; cursor: pointer; }
  .composer { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #dde3ea; }
  .input { flex: 1; resize: none; padding: 8px; border: 1px solid #b8c2cc; border-radius: 8px; font-size: 16px; }
  .send { border: 0; border-radius: 8px; padding: 0 14px; background: #0b5cab; color: #fff; font-size: 15px; cursor: pointer; }
  .tools { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 6px 10px 10px; font-size: 13px; }
  .tool { border: 1px solid #b8c2cc; background: #fff; border-radius: 6px; padding: 5px 8px; cursor: pointer; font-size: 13px; }
  .privacy { margin-inline-start: auto; color: #0b5cab; }
  .is-offline .header { background: #6b7785; }
  button:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible, .log:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;
}

document.body.appendChild(root);
applyLanguage(language);
restore();
setOpen(config.open || store.get("open") === true);
// quickExit: for an embedding page's own exit control (e.g. on a key press).
window.HavenWidget = { socket, say: userSays, quickExit, get sessionId() { return sessionId; } };
