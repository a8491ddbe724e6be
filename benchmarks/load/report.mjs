// Gathers the raw files scripts/bench wrote in WORKDIR into one results JSON (median and
// min-max over rounds for every figure) and prints a short table.
//   node report.mjs WORKDIR OUT.json
import fs from 'node:fs'
import path from 'node:path'

const [work, out] = process.argv.slice(2)
const files = fs.readdirSync(work)
const read = f => JSON.parse(fs.readFileSync(path.join(work, f), 'utf8'))
const exists = f => fs.existsSync(path.join(work, f))

function stat (values) {
  const v = values.filter(x => typeof x === 'number' && Number.isFinite(x))
  if (!v.length) return null
  const s = [...v].sort((a, b) => a - b)
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  return { median, min: s[0], max: s[s.length - 1], values: v }
}

// name-r{round}-c{connections}.json -> levels by connections
function levels (prefix, fields) {
  const byC = new Map()
  for (const f of files) {
    const m = f.match(new RegExp(`^${prefix}-r(\\d+)-c(\\d+)\\.json$`))
    if (!m) continue
    const c = Number(m[2])
    if (!byC.has(c)) byC.set(c, [])
    byC.get(c).push({ round: Number(m[1]), ...read(f) })
  }
  if (!byC.size) return null
  return [...byC.keys()].sort((a, b) => a - b).map(c => {
    const runs = byC.get(c).sort((a, b) => a.round - b.round)
    const level = { connections: c, rounds: runs.length }
    for (const field of fields) level[field] = stat(runs.map(r => r[field]))
    if (runs[0].errors !== undefined) {
      level.errorsTotal = runs.reduce((a, r) => a + (r.errors ?? 0), 0)
      level.requestsTotal = runs.reduce((a, r) => a + (r.requests ?? 0), 0)
      level.errorSamples = runs.flatMap(r => r.errorSamples ?? []).slice(0, 3)
      level.statusCodes = runs.reduce((acc, r) => { for (const [k, n] of Object.entries(r.statusCodes ?? {})) acc[k] = (acc[k] ?? 0) + n; return acc }, {})
    }
    return level
  })
}

function rounds (prefix) {
  return files.filter(f => new RegExp(`^${prefix}-r\\d+\\.json$`).test(f)).sort().map(read)
}

const meta = exists('meta.json') ? read('meta.json') : {}
const results = { meta }
const http = ['rps', 'p50', 'p95', 'p99', 'max', 'errors', 'cpuMsPerRequest', 'allocatedKBPerRequest', 'databaseCpuMsPerRequest', 'loadCpuMsPerRequest', 'machineCpuMsPerRequest', 'machineBusy']
const pg = levels('pgbench', ['tps', 'latencyMs'])
if (pg) results.pgbench = { levels: pg }
// Each level's median throughput over that of a reference at the same connection count.
function ratio (levels, name, reference, field) {
  for (const level of levels ?? []) {
    const r = reference?.find(l => l.connections === level.connections)?.[field]
    if (r && level.rps) level[name] = level.rps.median / r.median
  }
}
// The check-in load's services, side by side: the CRUD peer, the Marten peers, the service.
const crud = levels('crud', http)
const bare = levels('bare', http)
const shaped = levels('shaped', http)
const ingest = levels('ingest', http)
const batched = levels('batched', http)
for (const peer of [bare, shaped]) ratio(peer, 'ratioToCrud', crud, 'rps')
ratio(ingest, 'ratioToShaped', shaped, 'rps')
ratio(ingest, 'ratioToCrud', crud, 'rps')
ratio(ingest, 'ratioToPgbench', pg, 'tps')
// Group commit's effect alone: the same service and load, check-ins joined into batches.
ratio(batched, 'ratioToIngest', ingest, 'rps')
ratio(batched, 'ratioToShaped', shaped, 'rps')
ratio(batched, 'ratioToCrud', crud, 'rps')
if (crud) results.crud = { levels: crud }
if (bare) results.bare = { levels: bare }
if (shaped) results.shaped = { levels: shaped, ...(exists('shaped-db.json') ? { database: read('shaped-db.json') } : {}) }
if (ingest) results.ingest = { levels: ingest }
if (batched) results.batched = { levels: batched }
// A check-in's cost on a long episode against a short one, at 1 connection: long over short.
const long = levels('lengthlong', http)?.[0]
const short = levels('lengthshort', http)?.[0]
if (long && short) {
  const over = field => long[field] && short[field] ? long[field].median / short[field].median : null
  results.length = {
    episodesPerSet: meta.lengthEpisodes,
    longDay: meta.lengthLongDay,
    shortDay: meta.lengthShortDay,
    long,
    short,
    longOverShort: { p50: over('p50'), p99: over('p99'), cpuMsPerRequest: over('cpuMsPerRequest'), allocatedKBPerRequest: over('allocatedKBPerRequest') }
  }
}
const alerts = rounds('alert')
if (alerts.length) {
  results.alert = {
    targetRate: alerts[0].targetRate,
    alertEvery: alerts[0].alertEvery,
    checkInsPerRound: alerts[0].checkIns,
    achievedRate: stat(alerts.map(a => a.achievedRate)),
    webhookP50: stat(alerts.map(a => a.webhookMs?.p50)),
    webhookP95: stat(alerts.map(a => a.webhookMs?.p95)),
    webhookP99: stat(alerts.map(a => a.webhookMs?.p99)),
    webhookMax: stat(alerts.map(a => a.webhookMs?.max)),
    checkInP50: stat(alerts.map(a => a.checkInResponseMs?.p50)),
    checkInP99: stat(alerts.map(a => a.checkInResponseMs?.p99)),
    alertsExpected: alerts.reduce((a, r) => a + r.alertsExpected, 0),
    alertsDelivered: alerts.reduce((a, r) => a + r.alertsDelivered, 0),
    errors: alerts.reduce((a, r) => a + r.errors, 0),
    rounds: alerts
  }
}
const dash = levels('dashboard', http)
if (dash) results.dashboard = { ...(exists('dashboard-seed.json') ? { seed: read('dashboard-seed.json') } : {}), levels: dash }
const rebuilds = rounds('rebuild')
if (rebuilds.length) {
  results.rebuild = {
    seed: exists('rebuild-seed.json') ? read('rebuild-seed.json') : null,
    events: rebuilds[0].events,
    seconds: stat(rebuilds.map(r => r.seconds)),
    eventsPerSecond: stat(rebuilds.map(r => r.rebuildSeconds > 0 ? r.events / r.rebuildSeconds : null)),
    rebuildSeconds: stat(rebuilds.map(r => r.rebuildSeconds)),
    eventsPerSecondWallClock: stat(rebuilds.map(r => r.events / r.seconds)),
    exitCodes: rebuilds.map(r => r.exitCode)
  }
}
if (exists('documents.json')) results.documents = read('documents.json')
if (exists('signin-validation.json')) results.tokenValidation = read('signin-validation.json')
if (exists('signin-sessions.json')) results.sessions = read('signin-sessions.json')
if (exists('app-load.json')) results.appLoad = read('app-load.json')
if (exists('idle.json')) results.idle = read('idle.json')
if (exists('ingest-db.json')) results.ingestDatabase = read('ingest-db.json')
if (exists('memory.json')) {
  const m = read('memory.json')
  results.memory = { ...m, peakRssMiB: m.afterIngest ? m.afterIngest.vmHwmKiB / 1024 : null }
}
const starts = rounds('startup')
if (starts.length) results.startup = { ms: stat(starts.map(s => s.startupMs)), rounds: starts.length }
const startsWithoutSchema = rounds('startupnoschema')
if (startsWithoutSchema.length) results.startupSchemaAppliedByRelease = { ms: stat(startsWithoutSchema.map(s => s.startupMs)), rounds: startsWithoutSchema.length }
if (exists('loadavg.jsonl')) results.loadAverage = fs.readFileSync(path.join(work, 'loadavg.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l))

if (results.loadAverage?.length) results.serviceLogErrors = Math.max(...results.loadAverage.map(l => l.serviceLogErrorsSoFar ?? 0))
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n')

// The table.
const n = (x, d = 0) => x == null ? '-' : x.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d })
const s = (st, d = 0) => st == null ? '-' : (st.values.length > 1 ? `${n(st.median, d)} (${n(st.min, d)}–${n(st.max, d)})` : n(st.median, d))
const rows = []
for (const l of pg ?? []) rows.push([`pgbench INSERT c=${l.connections}`, `${s(l.tps)} tx/s`, `avg ${s(l.latencyMs, 2)} ms`, ''])
const services = [['CRUD peer', crud], ['Marten bare append', bare], ['Marten, service shape', shaped], ['check-in ingest', ingest], ['ingest, group commit on', batched]]
const serviceConnections = [...new Set(services.flatMap(([, ls]) => (ls ?? []).map(l => l.connections)))].sort((a, b) => a - b)
for (const c of serviceConnections) {
  for (const [name, ls] of services) {
    const l = ls?.find(x => x.connections === c)
    if (!l) continue
    const ratios = [['ratioToShaped', 'shaped'], ['ratioToCrud', 'CRUD'], ['ratioToPgbench', 'pgbench'], ['ratioToIngest', 'ingest']]
      .filter(([key]) => l[key] != null).map(([key, label]) => `×${n(l[key], 2)} ${label}`).join(', ')
    const cpu = (l.cpuMsPerRequest ? `, ${n(l.cpuMsPerRequest.median, 2)} ms CPU/req` : '') +
      (l.allocatedKBPerRequest ? `, ${n(l.allocatedKBPerRequest.median)} KB alloc/req` : '') +
      (l.machineCpuMsPerRequest ? `; CPU/req database ${n(l.databaseCpuMsPerRequest.median, 2)}, load ${n(l.loadCpuMsPerRequest.median, 2)}, machine ${n(l.machineCpuMsPerRequest.median, 2)} ms (${n(100 * l.machineBusy.median)} % busy)` : '')
    rows.push([`${name} c=${c}`, `${s(l.rps)} req/s`, `p50 ${s(l.p50, 1)} p95 ${s(l.p95, 1)} p99 ${s(l.p99, 1)} ms`, `errors ${l.errorsTotal}/${l.requestsTotal}${cpu}${ratios ? ' ' + ratios : ''}`])
  }
}
for (const [name, db] of [['service', results.ingestDatabase], ['Marten, service shape', results.shaped?.database]]) {
  if (db) rows.push([`episode document, ${name}`, `${n(db.episodeDocumentTextBytesAvg)} bytes of JSON (avg)`, `max ${n(db.episodeDocumentTextBytesMax)}`, `${n(db.events)} events, ${n(db.episodes)} episodes`])
}
if (results.length) {
  const { long: lg, short: sh, longOverShort: r } = results.length
  for (const [name, l] of [[`check-in on day ~${results.length.shortDay} c=1`, sh], [`check-in on day ~${results.length.longDay} c=1`, lg]]) {
    rows.push([name, `${s(l.rps)} req/s`, `p50 ${s(l.p50, 1)} p99 ${s(l.p99, 1)} ms`, `${s(l.cpuMsPerRequest, 2)} ms CPU/req, ${s(l.allocatedKBPerRequest)} KB alloc/req`])
  }
  rows.push(['  long over short', `p50 ×${n(r.p50, 2)}`, `p99 ×${n(r.p99, 2)}`, `CPU ×${n(r.cpuMsPerRequest, 2)}, alloc ×${n(r.allocatedKBPerRequest, 2)}`])
}
for (const name of ['episode', 'triage', 'trend']) {
  const d = results.documents?.[name]
  if (d) rows.push([`${name} document, day ${results.documents.days}`, `${n(d.jsonBytes)} bytes of JSON`, `write ${n(d.writeUs, 1)} µs, read ${n(d.readUs, 1)} µs`, `write ${n(d.writeKB, 1)} KB, read ${n(d.readKB, 1)} KB alloc`])
}
if (results.alert) {
  const a = results.alert
  rows.push([`alert latency @${a.targetRate}/s`, `achieved ${s(a.achievedRate)}/s`, `webhook p50 ${s(a.webhookP50, 1)} p99 ${s(a.webhookP99, 1)} ms`, `delivered ${a.alertsDelivered}/${a.alertsExpected}, errors ${a.errors}`])
}
for (const l of dash ?? []) rows.push([`dashboard GET c=${l.connections}`, `${s(l.rps)} req/s`, `p50 ${s(l.p50, 1)} p99 ${s(l.p99, 1)} ms`, `errors ${l.errorsTotal}/${l.requestsTotal}`])
if (results.rebuild) rows.push([`projection rebuild`, `${s(results.rebuild.eventsPerSecond)} events/s`, `${n(results.rebuild.events)} events in ${s(results.rebuild.rebuildSeconds, 1)} s`, `with host start-up ${s(results.rebuild.seconds, 1)} s; exit ${results.rebuild.exitCodes.join(',')}`])
for (const [name, v] of Object.entries(results.tokenValidation ?? {})) {
  if (v?.meanUs != null) rows.push([`token validation ${name}`, `mean ${n(v.meanUs, 1)} µs`, `p50 ${n(v.p50Us, 1)} p99 ${n(v.p99Us, 1)} µs`, ''])
}
const ms = x => x ? `p50 ${n(x.p50, 1)} p95 ${n(x.p95, 1)} p99 ${n(x.p99, 1)} ms` : '-'
if (results.sessions) {
  const x = results.sessions
  for (const [name, v] of [['invite (POST invitations)', x.inviteMs], ['redeem (POST /api/sessions)', x.redeemMs], ['refresh (POST /api/sessions/refresh)', x.refreshMs]]) rows.push([name, `n=${v?.count ?? 0}`, ms(v), ''])
  for (const [name, v] of Object.entries(x.readsMs ?? {})) rows.push([`GET ${name}`, `n=${v?.count ?? 0}`, ms(v), ''])
}
if (results.appLoad) {
  const a = results.appLoad
  for (const kind of ['cold', 'warm']) {
    const m = a[kind]
    rows.push([`app ${kind} load (median of ${a.runs})`, `FCP ${n(m.fcp)} ms`, `DCL ${n(m.domContentLoaded)} load ${n(m.load)} interactive ${n(m.ready)} ms`, `${n(m.bytes)} bytes (app ${n(m.appBytes)}, API ${n(m.apiBytes)})`])
  }
  const t = a.files.total
  rows.push(['app files', `${n(t.bytes)} bytes`, `gzip -9 ${n(t.gzip9)}, brotli ${n(t.brotli11)}`, ''])
}
if (results.idle) {
  const i = results.idle
  const open = i.open ? `${n(i.episodes)} episodes, ${n(i.open.episodes)} opened over HTTP in ${n(i.open.seconds)} s` : 'episodes already open'
  const executionMs = (i.statementsPerMinute ?? []).reduce((a, st) => a + st.ms, 0)
  rows.push([`idle minute (${open})`, `${n(i.seqScanPerMinute)} seq scans`, `${n(i.seqTupReadPerMinute)} rows read by them`,
    `service ${n(i.serviceCpuSecondsPerMinute, 2)} CPU s, PostgreSQL sessions ${n(i.postgresBackendCpuSecondsPerMinute, 2)} CPU s${i.statementsPerMinute ? `, ${n(executionMs)} ms executing` : ''}`])
  // Tables of a few rows are scanned sequentially whatever is open; the ones whose scans read rows are the ones to watch.
  for (const [table, t] of Object.entries(i.tablesPerMinute ?? {})) {
    if (t.seq_tup_read > 100) rows.push([`  ${table}`, `${n(t.seq_scan)} seq scans`, `${n(t.seq_tup_read)} rows read`, `${n(t.idx_scan)} index scans`])
  }
}
if (results.memory) rows.push(['service peak RSS (ingest)', `${n(results.memory.peakRssMiB)} MiB`, '', ''])
if (results.serviceLogErrors != null) rows.push(['service log: error lines', n(results.serviceLogErrors), '', ''])
if (results.startup) rows.push(['start-up to /health/live 200', `${s(results.startup.ms)} ms`, '', ''])
if (results.startupSchemaAppliedByRelease) rows.push(['  the same, schema applied by db-apply', `${s(results.startupSchemaAppliedByRelease.ms)} ms`, '', ''])
const widths = [0, 1, 2, 3].map(i => Math.max(...rows.map(r => r[i].length)))
console.log(rows.map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n'))
