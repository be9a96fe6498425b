// Haven hotline console. Everything a user or an agent wrote is put on the page with textContent, never
// as HTML. State changes send the session's CSRF token in a header. The page polls: the queue every
// 1.5 s, an open conversation every second (new user messages show within 2 s).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const script = document.currentScript;
  const page = script && script.dataset.page;

  async function api(method, url, body) {
    const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = csrf;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(url, options);
    if (response.status === 401) { window.location.href = "/console/login"; throw new Error("logged out"); }
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) { throw new Error(data.error || ("HTTP " + response.status)); }
    return data;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function setStatus(text, isError) {
    const status = document.getElementById("status");
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("error", !!isError);
  }

  function waited(seconds) {
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  const REASONS = { emergency: "Emergency", exploitation: "Exploitation", protection: "Fears harm at home", asked_for_person: "Asked for a person",
    repeated_misunderstanding: "Bot did not understand", service_unavailable: "Service down" };

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try { await api("POST", "/console/logout"); } finally { window.location.href = "/console/login"; }
    });
  }

  // -- the queue ------------------------------------------------------------------------------------
  async function refreshQueue() {
    try {
      const data = await api("GET", "/console/api/queue");
      const body = document.querySelector("#queue tbody");
      body.replaceChildren();
      for (const item of data.requests) {
        const row = el("tr", null, item.urgent ? "urgent" : "");
        row.dataset.requestId = item.id;
        row.append(el("td", item.urgent ? "URGENT" : "normal"), el("td", REASONS[item.reason] || item.reason),
          el("td", item.language), el("td", item.channel), el("td", waited(item.waiting_seconds)),
          el("td", item.status === "assigned" ? "with " + item.agent : "waiting"));
        const open = el("td");
        const link = el("a", item.status === "waiting" ? "Open" : "View");
        link.href = "/console/conversations/" + encodeURIComponent(item.id);
        open.append(link);
        row.append(open);
        body.append(row);
      }
      document.getElementById("empty").hidden = data.requests.length > 0;
      setStatus("Updated " + new Date().toLocaleTimeString());
    } catch (error) {
      setStatus("Could not load the queue: " + error.message, true);
    }
  }

  // -- one conversation -----------------------------------------------------------------------------
  const container = document.querySelector(".conversation");
  const requestId = container && container.dataset.requestId;
  let lastSignature = "";

  function renderTranscript(lines) {
    const signature = JSON.stringify(lines);
    if (signature === lastSignature) return;
    lastSignature = signature;
    const list = document.getElementById("transcript");
    list.replaceChildren();
    for (const line of lines) {
      const item = el("li", null, "line from-" + line.from);
      const who = line.from === "user" ? "User" : line.from === "agent" ? line.agent + " (hotline)"
        : line.from === "bot" ? "Haven bot" : "";
      if (who) item.append(el("span", who, "who"));
      item.append(el("span", line.text, "text"));
      if (line.buttons && line.buttons.length) item.append(el("span", "[" + line.buttons.join(" | ") + "]", "buttons"));
      if (line.time) item.append(el("time", new Date(line.time).toLocaleTimeString(), "when"));
      list.append(item);
    }
    list.scrollTop = list.scrollHeight;
  }

  function renderFacts(request, conversation) {
    const facts = document.getElementById("facts");
    facts.replaceChildren();
    const add = (name, value) => { facts.append(el("dt", name), el("dd", value)); };
    add("Status", request.status === "assigned" ? "with " + request.agent : request.status);
    add("Reason", (REASONS[request.reason] || request.reason) + (request.urgent ? " (URGENT)" : ""));
    add("Channel", request.channel + (request.can_receive_agent_messages ? "" : " (gets your messages with their next message)"));
    if (conversation) {
      const detected = conversation.detected_language;
      add("Language", (conversation.language || request.language) +
        (detected ? " (last message detected as " + detected.name + ", " + Math.round(detected.confidence * 100) + "%)" : ""));
      add("Bot", conversation.paused ? "paused" : "answering");
      for (const [name, value] of Object.entries(conversation.slots)) {
        add(name.replace(/_/g, " "), Array.isArray(value) ? value.join(", ") : value);
      }
    }
    if (request.note) add("Note", request.note);
  }

  function renderActions(request, me) {
    const mine = request.status === "assigned" && request.agent_id === me;
    document.getElementById("take").hidden = request.status !== "waiting";
    document.getElementById("handback").hidden = !mine;
    document.getElementById("close").hidden = !(request.status === "waiting" || mine);
    document.getElementById("reply").hidden = !mine;
  }

  let me = null;
  async function refreshConversation() {
    try {
      if (me === null) me = (await api("GET", "/console/api/queue")).agent.id;
      const data = await api("GET", "/console/api/requests/" + encodeURIComponent(requestId));
      document.getElementById("title").textContent = "Conversation " + data.request.conversation_id;
      renderFacts(data.request, data.conversation);
      renderActions(data.request, me);
      if (data.conversation) renderTranscript(data.conversation.lines);
    } catch (error) {
      setStatus("Could not load the conversation: " + error.message, true);
    }
  }

  async function act(path, body, done) {
    try {
      const result = await api("POST", "/console/api/requests/" + encodeURIComponent(requestId) + "/" + path, body);
      setStatus(result.warning || result.note || done, !!result.warning);
      await refreshConversation();
      return true;
    } catch (error) {
      setStatus(error.message, true);
      await refreshConversation();
      return false;
    }
  }

  if (page === "queue") {
    refreshQueue();
    setInterval(refreshQueue, 1500);
  } else if (page === "conversation") {
    document.getElementById("take").addEventListener("click", () => act("take", {}, "You have taken over. The bot is paused."));
    document.getElementById("handback").addEventListener("click", () =>
      act("handback", { note: document.getElementById("note").value }, "Handed back to the bot."));
    document.getElementById("close").addEventListener("click", () =>
      act("close", { note: document.getElementById("note").value }, "Closed."));
    document.getElementById("reply").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("reply-text");
      const text = box.value.trim();
      if (!text) return;
      if (await act("messages", { text }, "Sent.")) box.value = "";
    });
    document.getElementById("reply-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) document.getElementById("reply").requestSubmit();
    });
    refreshConversation();
    setInterval(refreshConversation, 1000);
  }
})();
