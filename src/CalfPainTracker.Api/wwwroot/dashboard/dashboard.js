// The physiotherapist's dashboard: triage list, patient record and live updates.
// Everything is built with textContent (never innerHTML from data), so a patient's notes
// cannot inject markup.
"use strict";

const state = {
  token: sessionStorage.getItem("calfpain.token"), expiresAt: Number(sessionStorage.getItem("calfpain.expiresAt")) || null,
  signIn: { pasteAllowed: false }, expiry: null, openEpisode: null, emergencies: new Set(), stream: null,
};
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "tabindex") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (response.status === 401) { signOut(true); throw new Error("unauthorised"); }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw Object.assign(new Error(body?.detail || body?.title || response.statusText), { status: response.status, body });
  return body;
}

// ---- sign in -------------------------------------------------------------
// Staff sign in at the clinic's OpenID Connect provider: authorization code with PKCE (S256)
// as a public client, so the page holds no secret. The access token is kept in sessionStorage,
// for this tab only. There is no silent renewal (a refresh token in the page would outlive
// the tab's sign-in): when the token expires the page says so and offers "Sign in again",
// which the provider's own session usually turns into a single click.

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function discovery() {
  const response = await fetch(`${state.signIn.authority}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the clinic's sign-in service answered ${response.status}`);
  return response.json();
}

async function goToProvider() {
  const metadata = await discovery();
  const pending = { verifier: randomText(), state: randomText() };
  sessionStorage.setItem("calfpain.oidc", JSON.stringify(pending));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pending.verifier)));
  const query = new URLSearchParams({
    response_type: "code", client_id: state.signIn.clientId, redirect_uri: state.signIn.redirectUri, scope: state.signIn.scope,
    state: pending.state, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(`${metadata.authorization_endpoint}?${query}`);
}

// The provider sends the browser back with ?code&state (or ?error); the code is redeemed once,
// with this tab's verifier, and only if the state is the one this tab sent.
async function redeem(params) {
  const pending = JSON.parse(sessionStorage.getItem("calfpain.oidc") || "null");
  sessionStorage.removeItem("calfpain.oidc");
  history.replaceState(null, "", location.pathname);
  // Only an answer to this tab's own sign-in is worth showing: anyone can craft a link with ?error=.
  if (params.has("error")) throw new Error(pending ? params.get("error_description") || params.get("error") : "the sign-in did not complete; sign in again.");
  if (!pending || params.get("state") !== pending.state) throw new Error("the answer from the sign-in service was not for this tab; sign in again.");
  const metadata = await discovery();
  const response = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: state.signIn.redirectUri,
      client_id: state.signIn.clientId, code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) throw new Error(body.error_description || body.error || `the sign-in service answered ${response.status}`);
  state.token = body.access_token;
  state.expiresAt = body.expires_in ? Date.now() + body.expires_in * 1000 : null;
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  state.token = $("token").value.trim();
  state.expiresAt = null;
  await start();
});
$("sign-in-provider").addEventListener("click", () => goToProvider().catch((e) => { $("sign-in-error").textContent = `Could not sign in: ${e.message}`; }));
$("sign-out").addEventListener("click", () => signOut(false));
$("back").addEventListener("click", () => showList());

function forget() {
  sessionStorage.removeItem("calfpain.token");
  sessionStorage.removeItem("calfpain.expiresAt");
  clearTimeout(state.expiry);
  state.token = null;
  state.expiresAt = null;
}

function signOut(expired) {
  forget();
  state.stream?.abort();
  $("triage").hidden = true;
  $("patient").hidden = true;
  $("sign-out").hidden = true;
  $("live").textContent = "";
  showSignIn(expired ? (state.signIn.authority ? "You are signed out: your sign-in has expired." : "Your sign-in has expired; paste a new token.") : "", expired);
}

function showSignIn(message, expired = false) {
  $("sign-in").hidden = false;
  $("sign-in-form").hidden = !state.signIn.pasteAllowed;
  $("provider-sign-in").hidden = !state.signIn.authority;
  $("provider-only").hidden = state.signIn.pasteAllowed || Boolean(state.signIn.authority);
  $("signed-out").textContent = state.signIn.authority ? message : "";
  $("sign-in-provider").textContent = expired ? "Sign in again" : "Sign in with your clinic account";
  $("sign-in-error").textContent = state.signIn.authority ? "" : message;
}

async function start() {
  try {
    await loadList();
  } catch (error) {
    if (!state.token) return; // a 401 has already shown the signed-out state
    $("sign-in-error").textContent = error.status === 403
      ? "This dashboard is for physiotherapists and clinic administrators."
      : `Could not sign in: ${error.message}`;
    forget();
    return;
  }
  sessionStorage.setItem("calfpain.token", state.token);
  if (state.expiresAt) {
    sessionStorage.setItem("calfpain.expiresAt", String(state.expiresAt));
    state.expiry = setTimeout(() => signOut(true), Math.max(0, state.expiresAt - Date.now()));
  }
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  showList();
  listen();
}

// ---- triage list ---------------------------------------------------------

const names = {
  "calf-strain": "Calf strain", "medial-gastrocnemius-strain": "Medial gastrocnemius strain", "plantaris-rupture": "Plantaris rupture",
  "achilles-tendinopathy": "Achilles tendinopathy", "achilles-rupture": "Achilles rupture", "bakers-cyst": "Baker's cyst",
  "cramps": "Cramps", "unknown": "Unknown cause",
};
const arrows = { improving: "↓ improving", stable: "→ stable", worsening: "↑ worsening" };
const shortId = (id) => id.slice(0, 8);

function sparkline(values) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("viewBox", "0 0 130 30");
  svg.setAttribute("aria-label", `Pain over the last ${values.length} days`);
  let path = "";
  values.forEach((v, i) => {
    if (v == null) { path += " "; return; }
    const x = 5 + i * (120 / Math.max(1, values.length - 1)), y = 27 - v * 2.4;
    path += (path.endsWith(" ") || path === "" ? "M" : "L") + `${x.toFixed(1)},${y.toFixed(1)}`;
    // A dot per logged day, so a lone day between gaps still shows.
    const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    dot.setAttribute("cx", x.toFixed(1)); dot.setAttribute("cy", y.toFixed(1)); dot.setAttribute("r", "1.8"); dot.setAttribute("fill", "#0a5cad");
    svg.append(dot);
  });
  const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
  line.setAttribute("d", path.replace(/ +/g, " ").trim());
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#0a5cad");
  line.setAttribute("stroke-width", "1.5");
  svg.append(line);
  return svg;
}

async function loadList() {
  const view = await api("/api/dashboard");
  const rows = view.patients.map((p) => {
    const row = el("tr", { class: `patient-row group-${p.triage}`, tabindex: "0", "data-episode": p.episodeId, "data-triage": p.triage },
      el("td", {}, el("strong", {}, `Patient ${shortId(p.patientId)}`)),
      el("td", {}, `${names[p.suspectedCause] ?? p.suspectedCause}, ${p.side}`),
      el("td", {}, `Day ${p.dayOfRecovery}`),
      el("td", { class: `direction-${p.direction ?? "none"}` }, p.latestPain == null ? "—" : `${p.latestPain}/10 `, p.direction ? arrows[p.direction] : ""),
      el("td", {}, sparkline(p.sparkline)),
      el("td", {}, p.openAlerts.length === 0 ? "none" : p.openAlerts.map((a) => el("span", { class: `badge ${a.severity}`, title: a.title }, a.title))),
      el("td", {}, p.adherencePercent == null ? "no plan" : `${p.adherencePercent}%`),
      el("td", {}, p.lastCheckIn ? `${p.lastCheckIn}${p.daysSinceCheckIn >= 2 ? ` (${p.daysSinceCheckIn} days ago)` : ""}` : "none yet"));
    row.addEventListener("click", () => openPatient(p.episodeId));
    row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openPatient(p.episodeId); } });
    return row;
  });
  $("patients").replaceChildren(...rows);
  $("patient-count").textContent = `(${view.patients.length})`;
  noticeEmergencies(view.patients.flatMap((p) => p.openAlerts.filter((a) => a.severity === "emergency").map((a) => ({ ...a, patientId: p.patientId }))));
}

function showList() {
  state.openEpisode = null;
  $("patient").hidden = true;
  $("triage").hidden = false;
}

// ---- emergencies: impossible to miss ---------------------------------------

function noticeEmergencies(alerts) {
  const fresh = alerts.filter((a) => !state.emergencies.has(a.id));
  alerts.forEach((a) => state.emergencies.add(a.id));
  const open = alerts.length;
  document.title = open > 0 ? `(${open}!) CalfPainTracker · Patients` : "CalfPainTracker · Patients";
  const banner = $("emergency");
  banner.hidden = open === 0;
  banner.textContent = open === 0 ? "" : `EMERGENCY: ${alerts.map((a) => `patient ${shortId(a.patientId)} — ${a.title}`).join("; ")}`;
  if (fresh.length > 0) beep();
}

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  } catch { /* no audio device: the banner and the title still show it */ }
}

// ---- patient record --------------------------------------------------------

async function openPatient(episodeId) {
  state.openEpisode = episodeId;
  $("triage").hidden = true;
  $("patient").hidden = false;
  await renderPatient(episodeId);
  $("patient-title").focus?.();
}

async function renderPatient(episodeId) {
  const [summary, trend, alerts, timeline, tuning] = await Promise.all([
    api(`/api/episodes/${episodeId}`), api(`/api/episodes/${episodeId}/trend`), api(`/api/episodes/${episodeId}/alerts`),
    api(`/api/episodes/${episodeId}/timeline`), api(`/api/episodes/${episodeId}/alert-tuning`),
  ]);
  if (state.openEpisode !== episodeId) return;
  $("patient-title").textContent = `Patient ${shortId(summary.patientId)} · ${names[summary.suspectedCause] ?? summary.suspectedCause}, ${summary.side} leg`;
  $("patient-summary").textContent =
    `Onset ${summary.onsetDate} · ${summary.daysTracked} days logged · current pain ${trend.currentPain ?? "—"} (baseline ${trend.baselinePain ?? "—"}) · ` +
    `${trend.direction ? arrows[trend.direction] : trend.note}` + (trend.eventsBehind > 0 ? ` · updating (${trend.eventsBehind} events behind)` : "");
  chart(trend);
  renderAlerts(alerts.alerts);
  renderTimeline(timeline.entries);
  renderTuning(tuning);
  renderWeeks(trend.weeks);
  renderDays(trend.days);
  $("response").replaceChildren(...trend.treatmentResponse.map((t) => el("li", {}, `${t.treatment}: ${t.interpretation}`)));
  $("lefs").textContent = trend.lefs
    ? `${trend.lefs.scores.map((s) => `${s.day}: ${s.total}/80`).join(" · ")}${trend.lefs.changeFromFirst != null ? ` (change ${trend.lefs.changeFromFirst > 0 ? "+" : ""}${trend.lefs.changeFromFirst}${trend.lefs.meaningfulImprovement ? ", meaningful" : ""})` : ""}`
    : "No questionnaire yet.";
  const clot = alerts.alerts.find((a) => a.partialWells);
  $("wells-partial").textContent = clot
    ? `Patient-reported items score ${clot.partialWells.score}: ${clot.partialWells.patientItems.join("; ") || "none"}. Still to examine: ${clot.partialWells.itemsForClinician.join("; ")}.`
    : "No patient-reported Wells items yet. Record the examination to get the full score.";
  if (summary.plan) for (const [key, value] of Object.entries(summary.plan)) { const input = $("plan-form").elements[key]; if (input) input.value = value; }
  $("invitation").hidden = true;
  await renderPhones(episodeId);
}

// ---- the patient's app: invitation and signed-in phones ----------------------------------------

$("invite").addEventListener("click", async () => {
  const invitation = await api(`/api/episodes/${state.openEpisode}/invitations`, { method: "POST", body: "{}" });
  // The QR code is the service's own SVG, shown as an image: never inserted as markup.
  $("invitation-qr").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(invitation.qrSvg)}`;
  $("invitation-link").textContent = invitation.url;
  $("invitation-link").href = invitation.url;
  $("invitation-expiry").textContent = `Works once, until ${new Date(invitation.expiresAt).toLocaleString()}.`;
  $("invitation").hidden = false;
});
$("print-invitation").addEventListener("click", () => window.print());

async function renderPhones(episodeId) {
  const phones = (await api(`/api/episodes/${episodeId}/devices`)).filter((p) => !p.signedOutAt);
  $("phones").replaceChildren(...(phones.length === 0 ? [el("li", { class: "muted" }, "None.")] : phones.map((phone) => el("li", { "data-device": phone.id },
    `${phone.deviceName}, last used ${new Date(phone.lastUsedAt).toLocaleString()} `,
    el("button", { type: "button", onclick: async () => {
      await api(`/api/episodes/${episodeId}/devices/${phone.id}`, { method: "DELETE" });
      await renderPhones(episodeId);
    } }, "Sign out (lost phone)")))));
}

let plot = null;
function chart(trend) {
  const container = $("pain-chart");
  const days = trend.days;
  if (days.length === 0) { container.replaceChildren(el("p", { class: "muted" }, "No check-ins yet.")); container.dataset.points = "0"; return; }
  // One x per calendar day, so a missed day is an empty slot, never a zero.
  const first = Date.parse(days[0].day) / 1000, last = Date.parse(days[days.length - 1].day) / 1000;
  const byDay = new Map(days.map((d) => [Date.parse(d.day) / 1000, d]));
  const xs = [], pain = [], rolling = [], baseline = [];
  for (let t = first; t <= last; t += 86400) {
    const d = byDay.get(t);
    xs.push(t); pain.push(d ? d.painLevel : null); rolling.push(d ? d.rolling7 : null); baseline.push(trend.baselinePain);
  }
  container.dataset.points = String(days.length);
  plot?.destroy();
  container.replaceChildren();
  plot = new uPlot({
    width: Math.min(container.clientWidth || 900, 1100), height: 300,
    scales: { y: { range: [0, 10] } },
    series: [
      {},
      { label: "Pain", stroke: "#0a5cad", width: 0, points: { show: true, size: 7, fill: "#0a5cad" }, spanGaps: false },
      { label: "7-day mean", stroke: "#b35900", width: 2, spanGaps: false },
      { label: "Baseline", stroke: "#57606a", dash: [6, 4], width: 1 },
    ],
    axes: [{}, { label: "Pain 0–10" }],
  }, [xs, pain, rolling, baseline], container);
}

function renderAlerts(all) {
  // Cleared alerts are kept apart: the service closed them because their signs did not come back.
  const cleared = all.filter((a) => a.status === "cleared");
  $("cleared-alerts").replaceChildren(...cleared.map((a) => el("li", { class: "status-cleared", "data-alert": a.id, "data-status": a.status },
    el("span", { class: `badge ${a.severity}` }, a.severity), el("strong", {}, a.title), el("br"),
    el("span", { class: "muted" }, `Evidence: ${a.evidence.join(", ") || "—"} · cleared ${a.clearedAt?.slice(0, 10) ?? ""}: ${a.clearedReason ?? ""}`))));
  $("cleared-count").textContent = String(cleared.length);
  const alerts = all.filter((a) => a.status !== "cleared");
  $("alerts").replaceChildren(...alerts.map((a) => {
    const item = el("li", { class: `status-${a.status}`, "data-alert": a.id, "data-status": a.status },
      el("span", { class: `badge ${a.severity}` }, a.severity), el("strong", {}, a.title), el("br"),
      el("span", {}, a.advice), el("br"),
      el("span", { class: "muted" }, `Evidence: ${a.evidence.join(", ") || "—"} · ${a.status}${a.escalatedAt ? " · escalated to the clinic" : ""} · Source: ${a.source}`));
    if (a.status === "open") item.append(el("br"), button("Acknowledge", async () => { await api(`/api/alerts/${a.id}/acknowledge`, { method: "POST", body: "{}" }); await refresh(); }));
    if (a.status !== "resolved") item.append(" ", button("Resolve…", async () => {
      const note = prompt("What was done about this alert?");
      if (!note) return;
      await api(`/api/alerts/${a.id}/resolve`, { method: "POST", body: JSON.stringify({ note }) });
      await refresh();
    }));
    if (a.resolutionNote) item.append(el("br"), el("em", {}, `Resolved: ${a.resolutionNote}`));
    return item;
  }));
}

function renderTimeline(entries) {
  // Newest first: the latest is what a clinician opens the page for.
  $("timeline").replaceChildren(...[...entries].reverse().map((e) => el("li", { "data-kind": e.kind },
    el("span", { class: "muted" }, `${e.at.slice(0, 16).replace("T", " ")} `), e.summary,
    ...(e.text ? [el("br"), el("em", {}, e.text)] : []))));
}

function renderTuning(tuning) {
  const pain = tuning.persistentPain;
  const parts = [pain
    ? `Persistent pain for this patient: pain ≥ ${pain.minimumPain} on ${pain.days} check-ins (clinic: ≥ ${tuning.clinicPersistentPain.minimumPain} on ${tuning.clinicPersistentPain.days}), set ${pain.at.slice(0, 10)}`
    : `Persistent pain: the clinic's rule (pain ≥ ${tuning.clinicPersistentPain.minimumPain} on ${tuning.clinicPersistentPain.days} check-ins)`];
  for (const s of tuning.snoozes) parts.push(`Snoozed: ${s.rule} until ${s.until.slice(0, 10)} (${s.reason})`);
  $("tuning").replaceChildren(...parts.map((p) => el("li", {}, p)));
}

function button(label, action) {
  const b = el("button", { type: "button" }, label);
  b.addEventListener("click", () => action().catch((e) => alert(e.message)));
  return b;
}

function renderWeeks(weeks) {
  $("weeks").replaceChildren(
    el("tr", {}, ["Week", "Mean pain", "Max", "Days", "Swollen days"].map((h) => el("th", { scope: "col" }, h))),
    ...weeks.map((w) => el("tr", {}, el("td", {}, `${w.isoYear}-W${String(w.isoWeek).padStart(2, "0")}`), el("td", {}, w.meanPain), el("td", {}, w.maxPain), el("td", {}, w.daysLogged), el("td", {}, w.daysWithSwelling))));
}

function renderDays(days) {
  $("days").replaceChildren(
    el("tr", {}, ["Day", "Pain", "Swelling", "Rest h", "Ice min", "Heat min", "Stretch min", "NSAID"].map((h) => el("th", { scope: "col" }, h))),
    ...days.slice().reverse().map((d) => el("tr", {}, el("td", {}, d.day), el("td", {}, d.painLevel), el("td", {}, d.swelling), el("td", {}, d.restHours), el("td", {}, d.iceMinutes), el("td", {}, d.heatMinutes), el("td", {}, d.stretchingMinutes), el("td", {}, d.nsaidTaken ? "yes" : "no"))));
}

$("wells-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(["deepVeinTenderness", "pittingOedema", "collateralVeins", "alternativeDiagnosisAsLikely"].map((k) => [k, form.elements[k].checked]));
  try {
    const result = await api(`/api/episodes/${state.openEpisode}/wells-exam`, { method: "PUT", body: JSON.stringify(body) });
    $("wells-result").textContent = `Wells score ${result.score.score}: ${result.score.nextStep}`;
  } catch (e) { $("wells-result").textContent = e.message; }
});

$("note-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = event.target.elements.text.value;
  try {
    await api(`/api/episodes/${state.openEpisode}/notes`, { method: "POST", body: JSON.stringify({ text }) });
    event.target.reset();
    await renderPatient(state.openEpisode);
  } catch (error) { alert(error.message); }
});

$("plan-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(["restHoursPerDay", "iceMinutesPerDay", "heatMinutesPerDay", "stretchingMinutesPerDay"].map((k) => [k, Number(form.elements[k].value)]));
  try {
    await api(`/api/episodes/${state.openEpisode}/plan`, { method: "PUT", body: JSON.stringify(body) });
    $("plan-result").textContent = "Plan saved.";
  } catch (e) { $("plan-result").textContent = e.message; }
});

// ---- live updates ----------------------------------------------------------

let refreshing = null;
function refresh() {
  // Several events in a burst cause one reload.
  refreshing ??= new Promise((resolve) => setTimeout(async () => {
    refreshing = null;
    try { await loadList(); if (state.openEpisode) await renderPatient(state.openEpisode); } finally { resolve(); }
  }, 150));
  return refreshing;
}

async function listen() {
  let lastId = null;
  while (state.token) {
    const controller = new AbortController();
    state.stream = controller;
    try {
      // fetch rather than EventSource: EventSource cannot send the Authorization header.
      const response = await fetch("/api/dashboard/stream", {
        headers: { "Authorization": `Bearer ${state.token}`, ...(lastId ? { "Last-Event-ID": lastId } : {}) }, signal: controller.signal,
      });
      if (!response.ok) throw new Error(`stream ${response.status}`);
      $("live").textContent = "● live";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = block.match(/^id: (.*)$/m)?.[1];
          if (id) { lastId = id; refresh(); }
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    $("live").textContent = "○ reconnecting…";
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function begin() {
  try {
    const response = await fetch("/dashboard/sign-in.json");
    if (response.ok) state.signIn = await response.json();
  } catch { /* offline: nothing to sign in with */ }
  const params = new URLSearchParams(location.search);
  if (state.signIn.authority && (params.has("code") || params.has("error"))) {
    try { await redeem(params); } catch (error) { showSignIn(""); $("sign-in-error").textContent = `Could not sign in: ${error.message}`; return; }
  }
  // A sign-in link may carry the token in the fragment (never sent to the server, so never in
  // its logs); it is taken out of the address bar at once, and used only where pasting is.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    history.replaceState(null, "", location.pathname);
    if (state.signIn.pasteAllowed) { state.token = fromLink; state.expiresAt = null; }
  }
  if (state.token && (!state.expiresAt || state.expiresAt > Date.now())) await start();
  else if (state.token) signOut(true);
  else showSignIn("");
}
begin();
