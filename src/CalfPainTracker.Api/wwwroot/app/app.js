// The patient's app: enrol by invitation link, log the daily check-in (also offline), see the
// recovery. Every text comes from messages/<lang>.json; every element is built with textContent,
// never innerHTML from data, so nothing a patient or the service writes can inject markup.
"use strict";

const SESSION_KEY = "calfpain.session";
const SIGNED_OUT_KEY = "calfpain.signedOut";
const LAST_CHECKIN_KEY = "calfpain.lastCheckIn";
const EMERGENCY_SIGNS = ["shortness-of-breath", "chest-pain", "coughing-blood", "cold-pale-leg"];
const SYMPTOMS = ["shortness-of-breath", "chest-pain", "coughing-blood", "cold-pale-leg", "numbness", "entire-leg-swollen",
  "fever", "redness", "warmth", "deformity", "cannot-stand-on-tiptoe"];
const LEFS_ITEMS = 20;
const $ = (id) => document.getElementById(id);

let messages = {};
const state = { episode: null, checkIns: [], syncing: false, retry: null, retryDelay: 0 };
const RETRY_FIRST_MS = 5_000;
const RETRY_LONGEST_MS = 300_000;

// ---- text -------------------------------------------------------------------

function t(key, values = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

async function loadMessages() {
  const wanted = (navigator.language || "en").toLowerCase().split("-")[0];
  for (const lang of [...new Set([wanted, "en"])]) {
    try {
      const response = await fetch(`/app/messages/${lang}.json`);
      if (response.ok) { messages = await response.json(); document.documentElement.lang = lang; break; }
    } catch { /* offline without a cached catalogue: try the next */ }
  }
  document.title = t("appName");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const number = t("emergencyNumber");
  $("not-watched").textContent = t("checkin.notWatched", { number });
  $("disclaimer").textContent = t("disclaimer", { number });
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

const svgNs = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}) {
  const node = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(navigator.language || document.documentElement.lang, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

function formatInstant(instant) {
  return new Intl.DateTimeFormat(navigator.language || document.documentElement.lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(instant));
}

// ---- the patient's calendar, in the episode's zone (the service judges days there) --------------

function localNow(timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// ---- the session: tokens on this phone only, refreshed one tab at a time -------------------------

const session = {
  get: () => JSON.parse(localStorage.getItem(SESSION_KEY) || "null"),
  set: (value) => localStorage.setItem(SESSION_KEY, JSON.stringify(value)),
  clear: () => localStorage.removeItem(SESSION_KEY),
};

function remember(tokens) {
  localStorage.removeItem(SIGNED_OUT_KEY);
  session.set({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: Date.now() + tokens.expiresIn * 1000,
    deviceId: tokens.deviceId, episodeId: tokens.episodeId, patientId: tokens.patientId,
  });
}

class SignedOut extends Error {}
class Offline extends Error {}

// What the phone remembers of a session that ended: why (the service's "signedOut", e.g.
// "episode-closed") and for which episode, so the check-ins it still keeps are shown against it.
const signedOut = {
  get: () => JSON.parse(localStorage.getItem(SIGNED_OUT_KEY) || "null"),
  text: (reason) => messages[`signedOut.${reason}`] ? t(`signedOut.${reason}`) : t("welcome.signedOut"),
};

// Ends the session on this phone. Check-ins still waiting can never be sent under it: they are
// kept, marked with the reason, for the patient to read (and tell the clinic) or discard.
async function endSession(reason) {
  const ended = session.get();
  session.clear();
  if (!ended) return new SignedOut();
  localStorage.setItem(SIGNED_OUT_KEY, JSON.stringify({ reason: reason || null, episodeId: ended.episodeId }));
  const problem = t(reason === "episode-closed" ? "outbox.episodeClosed" : "outbox.signedOut");
  for (const item of await outbox.all()) {
    if (item.episodeId === ended.episodeId && item.status === "pending") await outbox.put({ ...item, status: "failed", problem });
  }
  return new SignedOut();
}

async function problemOf(response) {
  return response.headers.get("content-type")?.includes("json") ? response.json().catch(() => null) : null;
}

async function post(path, body, token) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Offline();
  }
  return response;
}

// A refresh token works once: two tabs refreshing with the same one would sign the phone out,
// so refreshing holds a lock and re-reads the session inside it.
async function accessToken() {
  const current = session.get();
  if (!current) throw new SignedOut();
  if (current.accessExpiresAt - Date.now() > 30_000) return current.accessToken;
  const refresh = async () => {
    const latest = session.get();
    if (!latest) throw new SignedOut();
    if (latest.accessExpiresAt - Date.now() > 30_000) return latest.accessToken;
    const response = await post("/api/sessions/refresh", { refreshToken: latest.refreshToken });
    if (response.status === 401) throw await endSession((await problemOf(response))?.signedOut);
    if (!response.ok) throw new Offline();
    const tokens = await response.json();
    remember(tokens);
    return tokens.accessToken;
  };
  return navigator.locks ? navigator.locks.request("calfpain-refresh", refresh) : refresh();
}

async function api(path, options = {}) {
  const token = await accessToken();
  let response;
  try {
    response = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${token}`, ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) },
    });
  } catch {
    throw new Offline();
  }
  if (response.status === 401) {
    const reason = (await problemOf(response))?.signedOut;
    if (reason || options.retried) throw await endSession(reason);
    // The access token may have been cut short (a clock off by minutes): one refresh, then give up.
    const latest = session.get();
    if (latest) { latest.accessExpiresAt = 0; session.set(latest); }
    return api(path, { ...options, retried: true });
  }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw Object.assign(new Error(body?.detail || body?.title || response.statusText), { status: response.status, body });
  return body;
}

// ---- enrolment -------------------------------------------------------------------------------

// Whether the address carried an invitation (signed in or not, the welcome then says how it went).
async function enrolFromLink() {
  const code = new URLSearchParams(location.hash.slice(1)).get("invite");
  if (!code) return false;
  // The code leaves the address bar at once: it must not stay in history or a screenshot.
  history.replaceState(null, "", location.pathname);
  $("welcome-text").textContent = t("welcome.signingIn");
  try {
    const response = await post("/api/sessions", { invitationCode: code, deviceName: deviceName() });
    const body = await response.json().catch(() => null);
    if (response.ok) remember(body);
    else $("welcome-text").textContent = t("welcome.failed", { detail: body?.detail || response.statusText });
  } catch (error) {
    if (error instanceof Offline) $("welcome-text").textContent = t("welcome.offline");
    else throw error;
  }
  return true;
}

function deviceName() {
  const agent = navigator.userAgent;
  const kind = /iPhone/.test(agent) ? "iPhone" : /iPad/.test(agent) ? "iPad" : /Android/.test(agent) ? "Android phone" : "Browser";
  return `${kind}, ${new Date().toISOString().slice(0, 10)}`;
}

// ---- the outbox: a check-in is kept on the phone until the service has it ----------------------

function outboxStore(mode) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("calfpain", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "checkInId" });
    request.onerror = () => reject(request.error);
    request.onsuccess = () => resolve(request.result.transaction("outbox", mode).objectStore("outbox"));
  });
}

function done(request) {
  return new Promise((resolve, reject) => { request.onsuccess = () => resolve(request.result); request.onerror = () => reject(request.error); });
}

const outbox = {
  all: async () => (await done((await outboxStore("readonly")).getAll())).sort((a, b) => a.savedAt - b.savedAt),
  put: async (item) => done((await outboxStore("readwrite")).put(item)),
  remove: async (id) => done((await outboxStore("readwrite")).delete(id)),
  clear: async () => done((await outboxStore("readwrite")).clear()),
};

// Sends what waits, oldest first, one tab at a time. The service treats a resent checkInId as the
// same check-in, so a send whose answer was lost is harmless to repeat.
async function sync(justSaved) {
  let sent = 0;
  let stopped = false;
  const run = async () => {
    for (const item of await outbox.all()) {
      if (item.status === "failed") continue;
      let response;
      try {
        response = await api(`/api/episodes/${item.episodeId}/check-ins`, { method: "POST", body: JSON.stringify(item.body) });
      } catch (error) {
        if (error instanceof Offline) { stopped = true; break; }
        throw error;
      }
      const body = await response.json().catch(() => null);
      if (response.status === 201) {
        await outbox.remove(item.checkInId);
        sent++;
        localStorage.setItem(LAST_CHECKIN_KEY, JSON.stringify(item.body));
        if (item.checkInId === justSaved || !justSaved) showAccepted(body);
      } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        // Nothing is dropped: the patient sees why and can fix it.
        await outbox.put({ ...item, status: "failed", problem: refusal(body, response.status) });
      } else {
        stopped = true;
        break;
      }
    }
  };
  if (state.syncing) return;
  state.syncing = true;
  let failure = null;
  try {
    await (navigator.locks ? navigator.locks.request("calfpain-outbox", run) : run());
  } catch (error) {
    failure = error;
  } finally {
    state.syncing = false;
  }
  // Signed out, nothing more can be sent; any other fault is tried again like a bad network.
  retryLater(stopped || (failure !== null && !(failure instanceof SignedOut)));
  await renderOutbox();
  if (failure) throw failure;
  if (sent > 0) await refreshRecord().catch(() => {});
}

// Why the service refused a check-in, in the patient's words: for invalid answers, which ones
// to look at (the service's own messages name its fields, e.g. 'painLevel'), else its detail.
function refusal(body, status) {
  const fields = [...new Set(Object.keys(body?.errors || {}).map((field) => field.replace(/[.[].*$/, "")))]
    .filter((field) => messages[`field.${field}`]).map((field) => t(`field.${field}`));
  if (fields.length) return t("outbox.invalid", { fields: fields.join(", ") });
  return body?.detail || body?.title || String(status);
}

// A send that failed (a bad network, a service restarting, an "online" the phone announced before
// its network was up) is tried again by itself, backing off to every 5 minutes, instead of
// waiting for an "online" event that may never come. Offline, a try fails at once and costs nothing.
function retryLater(stopped) {
  clearTimeout(state.retry);
  if (!stopped) { state.retryDelay = 0; return; }
  state.retryDelay = Math.min(state.retryDelay ? state.retryDelay * 2 : RETRY_FIRST_MS, RETRY_LONGEST_MS);
  state.retry = setTimeout(() => sync().catch(handle), state.retryDelay);
}

async function renderOutbox() {
  const current = session.get();
  const episodeId = current ? current.episodeId : signedOut.get()?.episodeId;
  // A check-in not recorded under an earlier episode stays in view after a new invitation, to be read or discarded.
  const items = (await outbox.all()).filter((i) => i.episodeId === episodeId || i.status === "failed");
  const list = $("outbox-list");
  list.replaceChildren(...items.map((item) => el("li", { "data-status": item.status },
    item.status === "failed"
      ? [t("outbox.failed", { date: formatDate(item.body.day), detail: item.problem }), " ",
        current?.episodeId === item.episodeId ? el("button", { type: "button", onclick: () => editFailed(item) }, t("outbox.edit")) : "",
        el("button", { type: "button", onclick: async () => { await outbox.remove(item.checkInId); await renderOutbox(); } }, t("outbox.discard"))]
      : t("outbox.pending", { date: formatDate(item.body.day) }))));
  $("outbox").hidden = items.length === 0;
}

// The refused check-in stays in the outbox until it is saved again (under the same checkInId).
async function editFailed(item) {
  fillForm(item.body, { keepSymptoms: true });
  state.retrying = item.checkInId;
  await renderOutbox();
  $("form-error").textContent = item.problem;
  $("checkin-form").scrollIntoView();
}

// ---- the check-in form ----------------------------------------------------------------------

function buildForm() {
  const scale = $("pain-scale");
  for (let pain = 0; pain <= 10; pain++) {
    scale.append(el("input", { type: "radio", name: "painLevel", id: `pain-${pain}`, value: pain }), el("label", { for: `pain-${pain}` }, String(pain)));
  }
  for (const value of ["none", "mild", "moderate", "severe"]) {
    $("swelling").append(el("input", { type: "radio", name: "swelling", id: `swelling-${value}`, value }), el("label", { for: `swelling-${value}` }, t(`swelling.${value}`)));
  }
  for (const value of ["true", "false"]) {
    $("walking").append(el("input", { type: "radio", name: "canWalkComfortably", id: `walking-${value}`, value }),
      el("label", { for: `walking-${value}` }, t(value === "true" ? "answer.yes" : "answer.no")));
  }
  for (const name of ["painAtRest", "painAtNight", "swellingAtAnkle"]) {
    $("when").append(el("label", {}, el("input", { type: "checkbox", name, value: "true" }), t(`checkin.${name}`)));
  }
  for (const [name, max, step] of [["restHours", 24, "0.5"], ["iceMinutes", 1440, "5"], ["heatMinutes", 1440, "5"], ["stretchingMinutes", 1440, "5"]]) {
    $("treatments").append(el("div", {}, el("label", { for: name }, t(`checkin.${name}`)),
      el("input", { type: "number", id: name, name, min: 0, max, step, inputmode: name === "restHours" ? "decimal" : "numeric", value: 0 })));
  }
  $("treatments").append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "nsaidTaken", value: "true" }), t("checkin.nsaidTaken")));
  for (const value of SYMPTOMS) {
    $("symptoms").append(el("label", {}, el("input", { type: "checkbox", name: "symptoms", value }), t(`symptom.${value}`)));
  }
  $("day").addEventListener("change", describeDay);
  $("checkin-form").addEventListener("submit", (event) => { event.preventDefault(); save(); });
}

function fillDays() {
  const episode = state.episode;
  const now = localNow(episode.timeZone);
  // Just after midnight the check-in people mean is usually the day that has just ended.
  const preferred = now.hour < 3 ? addDays(now.day, -1) : now.day;
  const select = $("day");
  select.replaceChildren();
  for (let day = now.day, i = 0; day >= episode.onsetDate; day = addDays(day, -1), i++) {
    const label = i === 0 ? t("checkin.dayToday", { date: formatDate(day) }) : i === 1 ? t("checkin.dayYesterday", { date: formatDate(day) }) : t("checkin.dayEarlier", { date: formatDate(day) });
    select.append(el("option", { value: day, selected: day === preferred }, label));
  }
  describeDay();
}

function describeDay() {
  const day = $("day").value;
  const logged = state.checkIns.some((c) => c.day === day);
  const today = localNow(state.episode.timeZone).day;
  $("day-note").textContent = logged ? t("checkin.correction", { date: formatDate(day) }) : day < addDays(today, -1) ? t("checkin.backfill") : "";
}

// The last check-in is the best guess for today, except the warning signs: those are asked afresh.
function prefill() {
  const last = state.checkIns.at(-1) || JSON.parse(localStorage.getItem(LAST_CHECKIN_KEY) || "null");
  if (!last) return;
  fillForm(last, { keepSymptoms: false });
  $("prefilled").textContent = t("checkin.prefilled", { date: formatDate(last.day) });
}

function fillForm(values, { keepSymptoms }) {
  const form = $("checkin-form");
  const check = (name, value) => { const input = form.querySelector(`input[name=${name}][value="${value}"]`); if (input) input.checked = true; };
  if (values.painLevel != null) check("painLevel", values.painLevel);
  if (values.swelling) check("swelling", values.swelling);
  if (values.canWalkComfortably != null) check("canWalkComfortably", String(values.canWalkComfortably));
  for (const name of ["painAtRest", "painAtNight", "swellingAtAnkle", "nsaidTaken"]) form.elements[name].checked = Boolean(values[name]);
  for (const name of ["restHours", "iceMinutes", "heatMinutes", "stretchingMinutes"]) form.elements[name].value = values[name] ?? 0;
  for (const input of form.querySelectorAll("input[name=symptoms]")) input.checked = keepSymptoms && (values.symptoms || []).includes(input.value);
  if (keepSymptoms) { form.elements.notes.value = values.notes || ""; if (values.day) form.elements.day.value = values.day; describeDay(); }
}

function readForm() {
  const form = $("checkin-form");
  const value = (name) => form.querySelector(`input[name=${name}]:checked`)?.value;
  const problems = [];
  if (value("painLevel") == null) problems.push(t("checkin.painRequired"));
  if (value("swelling") == null) problems.push(t("checkin.swellingRequired"));
  if (value("canWalkComfortably") == null) problems.push(t("checkin.walkingRequired"));
  if (problems.length) return { problems };
  const number = (name) => Number(form.elements[name].value || 0);
  return {
    body: {
      checkInId: state.retrying || crypto.randomUUID(),
      day: form.elements.day.value,
      painLevel: Number(value("painLevel")),
      painAtRest: form.elements.painAtRest.checked,
      painAtNight: form.elements.painAtNight.checked,
      swelling: value("swelling"),
      swellingAtAnkle: form.elements.swellingAtAnkle.checked,
      restHours: number("restHours"),
      iceMinutes: number("iceMinutes"),
      heatMinutes: number("heatMinutes"),
      stretchingMinutes: number("stretchingMinutes"),
      nsaidTaken: form.elements.nsaidTaken.checked,
      canWalkComfortably: value("canWalkComfortably") === "true",
      symptoms: [...form.querySelectorAll("input[name=symptoms]:checked")].map((i) => i.value),
      notes: form.elements.notes.value.trim() || null,
    },
  };
}

async function save() {
  $("form-error").textContent = "";
  $("result").textContent = "";
  $("advice").replaceChildren();
  const { body, problems } = readForm();
  if (problems) { $("form-error").textContent = problems.join(" "); return; }
  state.retrying = null;

  // The emergency signs need no server to judge: the advice shows now, online or not.
  showEmergency(body.symptoms.some((s) => EMERGENCY_SIGNS.includes(s)));

  // Kept before it is sent: whatever happens to the request, the check-in is not lost.
  await outbox.put({ checkInId: body.checkInId, episodeId: session.get().episodeId, body, savedAt: Date.now(), status: "pending" });
  const button = $("save");
  button.disabled = true;
  button.textContent = t("checkin.saving");
  try {
    await sync(body.checkInId);
  } catch (error) {
    if (error instanceof SignedOut) return showSignedOut();
    throw error;
  } finally {
    button.disabled = false;
    button.textContent = t("checkin.save");
  }
  const left = (await outbox.all()).find((i) => i.checkInId === body.checkInId);
  if (left?.status === "pending") $("result").textContent = t("checkin.queued");
  else if (left?.status === "failed") $("form-error").textContent = left.problem;
  else {
    $("checkin-form").elements.notes.value = "";
    for (const input of $("checkin-form").querySelectorAll("input[name=symptoms]")) input.checked = false;
  }
}

function showEmergency(show) {
  const box = $("emergency");
  if (!show) { box.hidden = true; box.replaceChildren(); return; }
  const number = t("emergencyNumber");
  box.replaceChildren(
    el("h2", {}, t("emergency.title", { number })),
    el("p", {}, t("emergency.body", { number })),
    el("a", { href: `tel:${number}` }, t("emergency.call", { number })),
    el("p", {}, t("emergency.saved")));
  box.hidden = false;
  box.scrollIntoView({ block: "start" });
}

function showAccepted(accepted) {
  if (!accepted) return;
  $("result").textContent = t(accepted.correction ? "checkin.sentCorrection" : "checkin.sent", { date: formatDate(accepted.day) });
  const alerts = accepted.alerts || [];
  $("advice").replaceChildren(...(alerts.length === 0
    ? [el("p", { class: "advice" }, t("checkin.noAlerts"))]
    : alerts.map((alert) => el("div", { class: `advice ${alert.severity}`, "data-rule": alert.rule },
      el("strong", {}, `${t(`alerts.severity.${alert.severity}`)}: ${alert.title}`), alert.advice))));
}

// ---- my recovery ---------------------------------------------------------------------------

async function refreshRecord() {
  const id = session.get().episodeId;
  const [episode, checkIns] = await Promise.all([json(`/api/episodes/${id}`), json(`/api/episodes/${id}/check-ins`)]);
  state.episode = episode;
  state.checkIns = checkIns.days;
  localStorage.setItem("calfpain.episode", JSON.stringify(episode));
  if (state.checkIns.length) localStorage.setItem(LAST_CHECKIN_KEY, JSON.stringify(state.checkIns.at(-1)));
  describeDay();
  await refreshRecovery(id, 0);
}

// The trend is worked out a moment after a check-in is stored: while it catches up, ask again.
async function refreshRecovery(id, attempt) {
  // Said only the first time: a page that jumps while it catches up is hard to tap on.
  if (!$("chart").dataset.points) $("recovery-status").textContent = t("recovery.loading");
  const [trend, alerts] = await Promise.all([json(`/api/episodes/${id}/trend`), json(`/api/episodes/${id}/alerts`)]);
  $("recovery-status").textContent = "";
  if (trend.eventsBehind > 0 && attempt < 20) setTimeout(() => refreshRecovery(id, attempt + 1).catch(handle), Math.min(1000 * (attempt + 1), 5000));
  renderChart(trend);
  $("direction").textContent = t(trend.direction ? `direction.${trend.direction}` : "direction.unknown");
  renderAlerts(alerts.alerts);
  renderMilestones(trend.milestones);
  renderPlan(state.episode.plan, trend.adherence);
  renderResponse(trend.treatmentResponse);
  renderLefs(trend.lefs);
}

function renderChart(trend) {
  const days = trend.days;
  const box = $("chart");
  if (days.length === 0) { box.replaceChildren(); box.dataset.points = "0"; return; }
  const first = days[0].day;
  const span = Math.max(1, dayNumber(days.at(-1).day) - dayNumber(first));
  const [width, height, left, top, bottom] = [320, 150, 22, 8, 18];
  const x = (day) => left + ((dayNumber(day) - dayNumber(first)) / span) * (width - left - 6);
  const y = (pain) => top + (1 - pain / 10) * (height - top - bottom);
  const summary = t("recovery.chartSummary", { count: days.length, first: formatDate(first), last: formatDate(days.at(-1).day), latest: days.at(-1).painLevel });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title chart-desc" });
  const title = svg("title", { id: "chart-title" }); title.textContent = t("recovery.chartTitle");
  const desc = svg("desc", { id: "chart-desc" }); desc.textContent = summary;
  chart.append(title, desc);
  for (const pain of [0, 5, 10]) {
    chart.append(svg("line", { class: "axis", x1: left, x2: width, y1: y(pain), y2: y(pain) }));
    const label = svg("text", { x: 2, y: y(pain) + 3 }); label.textContent = String(pain); chart.append(label);
  }
  if (trend.baselinePain != null) chart.append(svg("line", { class: "baseline", x1: left, x2: width, y1: y(trend.baselinePain), y2: y(trend.baselinePain) }));
  // The 7-day mean is drawn only between consecutive days: a missed day is a gap, never a guess.
  let run = [];
  const flush = () => { if (run.length > 1) chart.append(svg("polyline", { class: "mean", points: run.join(" ") })); run = []; };
  days.forEach((day, i) => {
    if (i > 0 && dayNumber(day.day) - dayNumber(days[i - 1].day) > 1) flush();
    if (day.rolling7 != null) run.push(`${x(day.day).toFixed(1)},${y(day.rolling7).toFixed(1)}`);
  });
  flush();
  for (const day of days) chart.append(svg("circle", { class: "pain", cx: x(day.day).toFixed(1), cy: y(day.painLevel).toFixed(1), r: 3.5 }));
  const legend = el("ul", { class: "legend", "aria-hidden": "true" },
    el("li", {}, el("span", { class: "swatch" }), t("recovery.legendPain")),
    el("li", { class: "mean" }, el("span", { class: "swatch" }), t("recovery.legendMean")),
    el("li", { class: "baseline" }, el("span", { class: "swatch" }), t("recovery.legendBaseline")));
  box.replaceChildren(chart, legend);
  box.dataset.points = String(days.length);
}

function dayNumber(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

function renderAlerts(alerts) {
  // A cleared alert is advice whose reason has passed: not worth a patient's attention any more.
  const shown = alerts.filter((a) => a.status !== "cleared");
  $("alerts").replaceChildren(...(shown.length === 0 ? [el("li", {}, t("alerts.none"))] : shown.slice(0, 10).map((alert) =>
    el("li", { "data-rule": alert.rule, "data-status": alert.status },
      el("strong", {}, `${t(`alerts.severity.${alert.severity}`)}: ${alert.title}`),
      el("p", {}, alert.advice),
      el("p", { class: alert.acknowledgedAt || alert.resolvedAt ? "seen" : "note" },
        alert.resolvedAt ? t("alerts.resolved", { date: formatInstant(alert.resolvedAt) })
          : alert.acknowledgedAt ? t("alerts.seen", { date: formatInstant(alert.acknowledgedAt) })
            : t("alerts.notSeen"))))));
}

function renderMilestones(milestones) {
  const items = [];
  if (milestones.firstDayAtOrBelow2) items.push(t("milestone.lowPain", { date: formatDate(milestones.firstDayAtOrBelow2) }));
  if (milestones.daysToHalveBaseline != null) items.push(t("milestone.halved", { days: milestones.daysToHalveBaseline }));
  if (milestones.longestPainFreeStreak > 0) items.push(t("milestone.streak", { days: milestones.longestPainFreeStreak }));
  $("milestones").replaceChildren(...(items.length ? items : [t("milestone.none")]).map((text) => el("li", {}, text)));
}

function renderPlan(plan, adherence) {
  if (!plan) { $("plan").replaceChildren(el("li", {}, t("recovery.noPlan"))); return; }
  const figures = adherence?.perTreatment || {};
  const rows = [
    ["plan.rest", plan.restHoursPerDay, figures.restPercent], ["plan.ice", plan.iceMinutesPerDay, figures.icePercent],
    ["plan.heat", plan.heatMinutesPerDay, figures.heatPercent], ["plan.stretching", plan.stretchingMinutesPerDay, figures.stretchingPercent],
  ].filter(([, target]) => target > 0);
  $("plan").replaceChildren(...rows.map(([key, target, percent]) =>
    el("li", {}, t(key, { value: target }), percent != null ? ` · ${t("adherence.percent", { value: Math.round(percent) })}` : "")));
}

function renderResponse(responses) {
  const known = responses.filter((r) => r.enoughData);
  $("response-block").hidden = known.length === 0;
  const signed = (value) => (value > 0 ? `+${value}` : String(value));
  $("response").replaceChildren(...known.map((r) => el("li", {}, t("response.row", {
    treatment: t(`treatment.${r.treatment}`), with: signed(r.meanNextDayPainChangeWith), without: signed(r.meanNextDayPainChangeWithout),
  }))));
}

// Weekly: due when none was answered in the last 7 days.
function renderLefs(lefs) {
  const last = lefs?.scores?.at(-1)?.day;
  const today = localNow(state.episode.timeZone).day;
  const due = !last || addDays(last, 7) <= today;
  $("lefs-due").textContent = due ? t("lefs.due") : t("lefs.notDue", { date: formatDate(addDays(last, 7)) });
}

function buildLefs() {
  const items = $("lefs-items");
  for (let i = 1; i <= LEFS_ITEMS; i++) {
    const id = `lefs-${i}`;
    const select = el("select", { id, name: id, required: true }, el("option", { value: "" }, "—"),
      ...[0, 1, 2, 3, 4].map((score) => el("option", { value: score }, `${score}: ${t(`lefs.answer.${score}`)}`)));
    items.append(el("div", { class: "lefs-item" }, el("label", { for: id }, `${i}. ${t(`lefs.item.${i}`)}`), select));
  }
  $("lefs-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = [...Array(LEFS_ITEMS).keys()].map((i) => $(`lefs-${i + 1}`).value);
    if (answers.some((a) => a === "")) { $("lefs-error").textContent = t("lefs.incomplete"); return; }
    try {
      const saved = await json(`/api/episodes/${session.get().episodeId}/questionnaires/lefs`, { method: "POST", body: JSON.stringify({ answers: answers.map(Number) }) });
      $("lefs-error").textContent = "";
      $("lefs-result").textContent = t("lefs.saved", { total: saved.total });
    } catch (error) {
      $("lefs-error").textContent = error instanceof Offline ? t("error.offline") : t("error.generic", { detail: error.message });
    }
  });
}

// ---- sharing, devices, reminders, leaving --------------------------------------------------

async function share() {
  try {
    const link = await json(`/api/episodes/${session.get().episodeId}/report-links`, { method: "POST", body: "{}" });
    const text = t("share.made", { date: formatInstant(link.expiresAt) });
    $("share-result").replaceChildren(text, " ", el("a", { href: link.url }, link.url));
    if (navigator.share) await navigator.share({ title: t("appName"), url: link.url }).catch(() => {});
    else if (navigator.clipboard) await navigator.clipboard.writeText(link.url).then(() => $("share-result").append(" ", t("share.copied")), () => {});
    await renderLinks();
  } catch (error) {
    $("share-result").textContent = error instanceof Offline ? t("error.offline") : t("error.generic", { detail: error.message });
  }
}

async function renderLinks() {
  const links = await json(`/api/episodes/${session.get().episodeId}/report-links`);
  $("links").replaceChildren(...(links.length === 0 ? [el("li", {}, t("share.none"))] : links.map((link) => el("li", {},
    t("share.linkRow", { created: formatInstant(link.createdAt), expires: formatInstant(link.expiresAt) }), " ",
    link.createdByYou ? el("button", { type: "button", onclick: async () => { await api(`/api/report-links/${link.id}`, { method: "DELETE" }); await renderLinks(); } }, t("share.revoke")) : null))));
}

async function renderDevices() {
  const devices = await json("/api/me/devices");
  const mine = session.get().deviceId;
  $("devices").replaceChildren(...devices.map((device) => el("li", { "data-device": device.id },
    t("devices.row", { name: device.deviceName, created: formatInstant(device.createdAt), used: formatInstant(device.lastUsedAt) }),
    device.id === mine ? ` ${t("devices.thisPhone")}` : [" ", el("button", { type: "button", onclick: async () => { await api(`/api/me/devices/${device.id}`, { method: "DELETE" }); await renderDevices(); } }, t("devices.signOut"))])));
}

async function enableReminders() {
  const result = $("reminders-result");
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) { result.textContent = t("reminders.unavailable"); return; }
  try {
    if (await Notification.requestPermission() !== "granted") { result.textContent = t("reminders.denied"); return; }
    const { publicKey } = await json("/api/push/public-key");
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(publicKey) });
    const body = subscription.toJSON();
    await json("/api/me/push-subscriptions", { method: "POST", body: JSON.stringify({ endpoint: body.endpoint, keys: body.keys, expirationTime: body.expirationTime }) });
    result.textContent = t("reminders.enabled");
  } catch (error) {
    result.textContent = t("reminders.failed", { detail: error.message });
  }
}

function base64UrlBytes(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function signOut() {
  const current = session.get();
  if (current) await api(`/api/me/devices/${current.deviceId}`, { method: "DELETE" }).catch(() => {});
  await endSession("by-patient");
  await showSignedOut();
}

async function forget() {
  const waiting = (await outbox.all()).length;
  if (waiting > 0 && !confirm(t("account.forgetWarning", { count: waiting }))) return;
  const registration = await navigator.serviceWorker?.getRegistration("/app").catch(() => null);
  await (await registration?.pushManager?.getSubscription())?.unsubscribe().catch(() => {});
  await signOut();
  await outbox.clear();
  for (const key of [LAST_CHECKIN_KEY, SIGNED_OUT_KEY, "calfpain.episode"]) localStorage.removeItem(key);
  await renderOutbox();
  $("welcome-text").textContent = t("account.forgotten");
}

async function showSignedOut() {
  for (const id of ["checkin", "recovery", "settings"]) $(id).hidden = true;
  $("welcome").hidden = false;
  const ended = signedOut.get();
  const text = $("welcome-text");
  text.textContent = ended ? signedOut.text(ended.reason) : t("welcome.body");
  await renderOutbox();
  // The form that held focus is gone: a screen reader would say nothing of why.
  if (ended) text.focus();
}

function showConnection() {
  $("connection").textContent = navigator.onLine ? "" : t("connection.offline");
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  await loadMessages();
  buildForm();
  buildLefs();
  showConnection();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => {});
  const invited = await enrolFromLink();
  const current = session.get();
  if (!current) {
    // An invitation that did not work has said why; what the phone still keeps shows either way.
    if (invited) { $("welcome").hidden = false; return renderOutbox(); }
    return showSignedOut();
  }

  $("welcome").hidden = true;
  for (const id of ["checkin", "recovery", "settings"]) $(id).hidden = false;
  $("share").addEventListener("click", share);
  $("reminders").addEventListener("click", enableReminders);
  $("sign-out").addEventListener("click", signOut);
  $("forget").addEventListener("click", forget);
  window.addEventListener("online", () => { showConnection(); sync().catch(handle); });
  window.addEventListener("offline", showConnection);

  // Offline the form still works from what this phone remembers of the episode.
  state.episode = JSON.parse(localStorage.getItem("calfpain.episode") || "null");
  try {
    await refreshRecord();
  } catch (error) {
    if (error instanceof SignedOut) return showSignedOut();
    if (!(error instanceof Offline)) throw error;
    $("recovery-status").textContent = t("recovery.offline");
  }
  if (!state.episode) return;
  fillDays();
  prefill();
  await renderOutbox();
  // The form is usable now; what is waiting to be sent and the lists below follow.
  document.body.dataset.ready = "true";
  await sync().catch(handle);
  await Promise.all([renderLinks(), renderDevices()]).catch(handle);
}

function handle(error) {
  if (error instanceof SignedOut) return showSignedOut();
  if (error instanceof Offline) return showConnection();
  $("form-error").textContent = t("error.generic", { detail: error.message });
}

start().catch(handle);
