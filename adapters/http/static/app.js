// Status page: renders the gateway's published state documents and follows them over server-sent events.
// Plain DOM (textContent only, so no published text can become markup); Swedish by default, English on request.
"use strict";

const TEXT = {
  sv: {
    title: "Rakel-gateway", connecting: "Ansluter…", live: "Live", offline: "Ingen kontakt", logout: "Logga ut", other: "English",
    alerts: "Larm", noAlerts: "Inga larm.", links: "Förbindelser", link: "Länk", state: "Läge", since: "Sedan",
    terminals: "Terminaler", modems: "Modem", none: "Inga.", talkgroups: "Talgruppskontroll", noChecks: "Ingen kontroll gjord än.",
    conferences: "Konferenser", actions: "Åtgärder", testText: "Provlarmstext", recipients: "Mottagare (kommaseparerade)",
    startTest: "Starta provlarm", checkTg: "Kontrollera talgrupper", noRights: "Ditt konto får inte starta provlarm eller talgruppskontroller.",
    ready: "klar", degraded: "nedsatt", unresponsive: "svarar inte", disconnected: "frånkopplad",
    active: "pågår", completed: "avslutat", cancelled: "avbrutet", expired: "utgånget",
    coming: "kommer", "not-coming": "kommer ej", delayed: "försenad", unreached: "ej nådd", pending: "väntar", attempting: "försöker", delivered: "levererat", acknowledged: "kvitterat",
    idle: "vilande", dialling: "ringer upp", "in-conference": "i konferens", failed: "misslyckad", ended: "avslutad",
    identity: "Identitet", mode: "Driftläge", group: "Vald grupp", signal: "Signal", lastSds: "Senaste SDS", operator: "Operatör", queue: "Kö",
    missing: "Saknas", allPresent: "Alla grupper finns", checkedAt: "Kontrollerad", plan: "Plan", from: "från",
    kind: { activation: "Larm", conference: "Konferens", info: "Info", test: "Provlarm" },
    sent: "Skickat", error: "Fel", checkDone: "Kontroll klar", patched: "patchad till", call: "samtal pågår", ago: "sedan",
  },
  en: {
    title: "Rakel gateway", connecting: "Connecting…", live: "Live", offline: "No contact", logout: "Log out", other: "Svenska",
    alerts: "Alerts", noAlerts: "No alerts.", links: "Links", link: "Link", state: "State", since: "Since",
    terminals: "Terminals", modems: "Modems", none: "None.", talkgroups: "Talk-group check", noChecks: "No check done yet.",
    conferences: "Conferences", actions: "Actions", testText: "Test alert text", recipients: "Recipients (comma-separated)",
    startTest: "Start test alert", checkTg: "Check talk groups", noRights: "Your account may not start test alerts or talk-group checks.",
    ready: "ready", degraded: "degraded", unresponsive: "unresponsive", disconnected: "disconnected",
    active: "active", completed: "completed", cancelled: "cancelled", expired: "expired",
    coming: "coming", "not-coming": "not coming", delayed: "delayed", unreached: "unreached", pending: "pending", attempting: "trying", delivered: "delivered", acknowledged: "acknowledged",
    idle: "idle", dialling: "dialling", "in-conference": "in conference", failed: "failed", ended: "ended",
    identity: "Identity", mode: "Mode", group: "Selected group", signal: "Signal", lastSds: "Last SDS", operator: "Operator", queue: "Queue",
    missing: "Missing", allPresent: "All groups present", checkedAt: "Checked", plan: "Plan", from: "from",
    kind: { activation: "Alert", conference: "Conference", info: "Info", test: "Test alert" },
    sent: "Sent", error: "Error", checkDone: "Check done", patched: "patched to", call: "call active", ago: "ago",
  },
};

const docs = new Map();
let session = { rights: {}, testAlert: { text: "", recipients: [] } };
let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("rakelgw-lang") || "";
const t = (k) => (TEXT[lang] || TEXT.sv)[k] ?? k;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}
const badge = (state, text) => el("span", { class: `badge ${state}` }, text ?? t(state));
const under = (prefix) => [...docs].filter(([k]) => k.startsWith(prefix)).map(([k, d]) => [k.slice(prefix.length), d]).sort(([a], [b]) => a.localeCompare(b));

function fmtTime(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  const mins = Math.round((Date.now() - d.getTime()) / 60000);
  const clock = d.toLocaleTimeString(lang === "en" ? "en-GB" : "sv-SE", { hour: "2-digit", minute: "2-digit" });
  const age = mins < 1 ? "" : mins < 120 ? ` (${mins} min)` : ` (${Math.round(mins / 60)} h)`;
  const day = d.toDateString() === new Date().toDateString() ? "" : `${d.toLocaleDateString(lang === "en" ? "en-GB" : "sv-SE")} `;
  return `${day}${clock}${age}`;
}

function replace(id, nodes, emptyKey) {
  const box = $(id);
  box.replaceChildren(...(nodes.length ? nodes : [el("p", { class: "empty" }, t(emptyKey || "none"))]));
}

function renderLinks() {
  const rows = under("links/").map(([id, d]) => el("tr", { "data-link": id }, el("td", {}, id), el("td", {}, badge(d.state)), el("td", {}, fmtTime(d.since), d.detail ? el("div", { class: "detail" }, d.detail) : null)));
  $("links").tBodies[0].replaceChildren(...rows);
}

function kv(label, value) {
  return el("div", { class: "kv" }, el("span", { class: "k" }, label), el("span", { class: "v" }, value ?? "–"));
}

function sdsText(s) {
  if (!s) return "–";
  const what = s.kind === "text" ? `”${String(s.text ?? "").slice(0, 80)}”` : s.kind === "status" ? `status ${s.value}` : s.kind;
  return `${what} ${t("from")} ${s.from ?? "?"}, ${fmtTime(s.receivedAt)}`;
}

function renderTerminals() {
  const cards = under("terminals/").map(([id, d]) => {
    const link = docs.get(`links/${id}`);
    const sig = d.signal ? `${d.signal.dbm ?? "?"} dBm` : "–";
    return el("article", { class: "card", "data-terminal": id },
      el("h3", {}, id, " ", link ? badge(link.state) : null, d.callActive ? badge("degraded", t("call")) : null),
      kv(t("identity"), `${d.itsi ?? d.issi ?? "?"}${d.model ? ` · ${d.manufacturer ?? ""} ${d.model}` : ""}`),
      kv(t("mode"), d.mode ? String(d.mode.name).toUpperCase() : "–"),
      kv(t("group"), d.selectedGroup),
      kv(t("signal"), sig),
      kv(t("lastSds"), sdsText(docs.get(`sds/last/${id}`))));
  });
  replace("terminals", cards);
}

function renderModems() {
  const cards = under("modems/").map(([id, d]) => {
    const link = docs.get(`links/${id}`);
    return el("article", { class: "card", "data-modem": id },
      el("h3", {}, id, " ", badge(link ? link.state : d.health)),
      kv(t("signal"), d.signal ? `${d.signal.dbm ?? "?"} dBm` : "–"),
      kv(t("operator"), d.operator),
      kv(t("queue"), String(d.queue ?? 0)));
  });
  replace("modems", cards);
}

function renderChecks() {
  const cards = under("talkgroups/").filter(([k]) => k.endsWith("/check")).map(([k, d]) => {
    const id = k.slice(0, -"/check".length);
    const problems = (d.groups || []).filter((g) => g.status === "missing" || g.status === "wrong-mode" || g.status === "name-mismatch");
    return el("article", { class: "card", "data-check": id },
      el("h3", {}, id, " ", problems.length ? badge("disconnected", `${t("missing")}: ${problems.length}`) : badge("ready", t("allPresent"))),
      kv(t("plan"), d.plan ? `${d.plan.name} ${d.plan.version ?? ""}` : "–"),
      kv(t("checkedAt"), fmtTime(d.checkedAt)),
      problems.length ? el("ul", { class: "missing" }, problems.map((g) => el("li", {}, `${g.gssi} ${g.name ?? ""} (${g.status})`))) : null);
  });
  replace("checks", cards, "noChecks");
}

function recipientName(r) {
  return r.person ?? r.role ?? r.address ?? "?";
}

function renderAlerts() {
  const alerts = under("alerts/").map(([, d]) => d).sort((a, b) => (a.state === "active") - (b.state === "active") || String(a.createdAt).localeCompare(String(b.createdAt))).reverse();
  const cards = alerts.map((a) => {
    const s = a.summary || {};
    const groups = { coming: [], "not-coming": [], delayed: [], unreached: [], pending: [] };
    for (const r of a.recipients || []) {
      const key = r.answer ?? (r.state === "unreached" ? "unreached" : "pending");
      (groups[key] || groups.pending).push(r);
    }
    return el("article", { class: `card alert ${a.state}`, "data-alert": a.id },
      el("h3", {}, `${(t("kind")[a.kind] ?? a.kind)} ${a.code ?? ""} `, badge(a.state === "active" ? "degraded" : "ready", t(a.state)), el("span", { class: "detail" }, ` ${fmtTime(a.createdAt)}`)),
      el("p", { class: "alert-text" }, a.text ?? ""),
      el("div", { class: "counts" },
        el("span", { class: "count coming" }, `${t("coming")} ${s.coming ?? groups.coming.length}`),
        el("span", { class: "count not-coming" }, `${t("not-coming")} ${s.notComing ?? groups["not-coming"].length}`),
        el("span", { class: "count delayed" }, `${t("delayed")} ${s.delayed ?? groups.delayed.length}`),
        el("span", { class: "count unreached" }, `${t("unreached")} ${s.unreached ?? groups.unreached.length}`),
        el("span", { class: "count pending" }, `${t("pending")} ${s.pending ?? groups.pending.length}`)),
      el("ul", { class: "recipients" }, Object.entries(groups).flatMap(([k, rs]) => rs.map((r) => el("li", { class: k }, el("span", { class: "who" }, recipientName(r)), " ", el("span", { class: "what" }, t(k === "pending" ? r.state : k)))))));
  });
  replace("alerts", cards, "noAlerts");
}

function renderConferences() {
  const cards = under("conferences/").map(([id, c]) =>
    el("article", { class: "card", "data-conference": id },
      el("h3", {}, c.name ?? id, " ", badge(c.state === "in-conference" ? "ready" : c.state === "failed" ? "disconnected" : c.state === "dialling" ? "degraded" : "unresponsive", t(c.state))),
      kv(t("since"), fmtTime(c.since)),
      c.patchedTalkgroup ? kv(t("patched"), c.patchedTalkgroup) : null,
      c.detail ? el("div", { class: "detail" }, c.detail) : null));
  replace("conferences", cards);
}

function renderActions() {
  const r = session.rights || {};
  $("test-alert-form").hidden = !r["test-alert"];
  const terminals = under("terminals/").map(([id]) => id);
  $("tg-buttons").replaceChildren(...(r["talkgroup-check"] ? terminals.map((id) => el("button", { type: "button", class: "tg-check", "data-terminal": id }, `${t("checkTg")}: ${id}`)) : []));
  $("no-rights").hidden = !!(r["test-alert"] || r["talkgroup-check"]);
}

function renderAll() {
  renderAlerts();
  renderLinks();
  renderTerminals();
  renderModems();
  renderChecks();
  renderConferences();
  renderActions();
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  $("lang").textContent = t("other");
  renderAll();
}

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderAll();
  });
}

function connect() {
  const es = new EventSource("/events");
  es.addEventListener("snapshot", (e) => {
    docs.clear();
    for (const [k, v] of Object.entries(JSON.parse(e.data).docs)) docs.set(k, v);
    $("conn").className = "badge ready";
    $("conn").textContent = t("live");
    scheduleRender();
  });
  es.addEventListener("change", (e) => {
    const { topic, doc } = JSON.parse(e.data);
    if (doc === null) docs.delete(topic);
    else docs.set(topic, doc);
    scheduleRender();
  });
  es.onerror = () => {
    $("conn").className = "badge disconnected";
    $("conn").textContent = t("offline");
    // A closed stream after a logout or restart: check the session, go to the login page if it is gone.
    fetch("/api/session").then((r) => { if (r.status === 401) location.href = "/login"; }, () => undefined);
  };
}

function describeResult(action, d) {
  if (action === "talkgroup-check") {
    const s = d.summary || {};
    return `${t("checkDone")}: ${s.present ?? "?"}/${s.total ?? "?"}, ${t("missing").toLowerCase()} ${(s.missing ?? 0) + (s.wrongMode ?? 0) + (s.nameMismatch ?? 0)}`;
  }
  return `${t("sent")}: ${t("kind").test} ${d.code ?? d.id ?? ""}`;
}

async function act(action, body) {
  $("action-result").textContent = "…";
  try {
    const r = await fetch(`/api/actions/${action}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const j = await r.json();
    $("action-result").className = j.status === "ok" ? "ok" : "error";
    $("action-result").textContent = j.status === "ok" ? describeResult(action, j.data || {}) : `${t("error")} ${j.error?.code}: ${j.error?.message}`;
  } catch (err) {
    $("action-result").className = "error";
    $("action-result").textContent = `${t("error")}: ${err}`;
  }
}

async function start() {
  const r = await fetch("/api/session");
  if (r.status === 401) return void (location.href = "/login");
  session = await r.json();
  if (!lang) lang = session.language || "sv";
  $("site").textContent = `· ${session.site}${session.simulated ? " (SIM)" : ""}`;
  $("user").textContent = session.user;
  $("test-text").value = session.testAlert?.text ?? "";
  $("test-recipients").value = (session.testAlert?.recipients ?? []).join(", ");
  $("lang").addEventListener("click", () => {
    lang = lang === "sv" ? "en" : "sv";
    localStorage.setItem("rakelgw-lang", lang);
    applyLanguage();
  });
  $("test-alert-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const recipients = $("test-recipients").value.split(",").map((s) => s.trim()).filter(Boolean);
    void act("test-alert", { text: $("test-text").value, recipients });
  });
  $("tg-buttons").addEventListener("click", (e) => {
    const b = e.target.closest("button.tg-check");
    if (b) void act("talkgroup-check", { terminal: b.dataset.terminal });
  });
  applyLanguage();
  connect();
  const tick = () => ($("clock").textContent = new Date().toLocaleTimeString(lang === "en" ? "en-GB" : "sv-SE"));
  tick();
  setInterval(tick, 1000);
  setInterval(scheduleRender, 30000);
}

void start();
