// HTTP load for scripts/bench with autocannon's programmatic API.
//   node http-load.mjs checkins --url URL --episodes FILE --state FILE --connections N --duration S --warmup S --out FILE
//   node http-load.mjs get      --url URL --path /api/dashboard --token TOKEN --connections N --duration S --warmup S --out FILE
// checkins: every request is a new check-in (fresh checkInId) for the next episode in turn, on
// that episode's next day (counting forward from its onset; the day reached is kept in --state
// so later runs go on from there), with the episode's own patient token. Once an episode has
// reached today, it goes round its days again as corrections, as real patients correct days:
// the load never runs out however fast the service is. Mostly low-risk: pain 0-3 and easing,
// no symptoms; one in fifty has mild swelling (an advice alert).
// Writes {connections, seconds, requests, rps, p50, p95, p99, max, errors, non2xx, socketErrors,
// timeouts, statusCodes, errorSamples, cpuMsPerRequest} with latencies in ms (exact percentiles over
// every response); --pid PID adds the CPU time that process spent per answered request;
// --counters PATH (dotnet-counters) with --pid adds the bytes that .NET process allocated per
// answered request (allocatedKBPerRequest: the runtime's allocation rate over the measured run).
// --amount N sends exactly N requests instead of running for --duration (to grow episodes).
// Every run also divides the machine's CPU over the answered requests: databaseCpuMsPerRequest
// (every process named postgres, the one cluster scripts/bench runs, with the backends the
// postmaster has reaped), loadCpuMsPerRequest (this generator), machineCpuMsPerRequest (all cores'
// busy time from /proc/stat) and machineBusy (the share of all cores' time that was busy): on a
// saturated machine, the cores divided by machineCpuMsPerRequest is the most any design of that
// cost can answer.
import autocannon from 'autocannon'
import { randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const [mode, ...rest] = process.argv.slice(2)
const opts = {}
for (let i = 0; i < rest.length; i += 2) opts[rest[i].replace(/^--/, '')] = rest[i + 1]
const connections = Number(opts.connections ?? 1)
const duration = Number(opts.duration ?? 10)
const warmup = Number(opts.warmup ?? 0)

let makeRequest
let saveState = () => {}
if (mode === 'checkins') {
  const episodes = JSON.parse(fs.readFileSync(opts.episodes, 'utf8'))
  const state = opts.state && fs.existsSync(opts.state)
    ? JSON.parse(fs.readFileSync(opts.state, 'utf8'))
    : { cursor: 0, next: new Array(episodes.length).fill(0) }
  const today = new Date().toISOString().slice(0, 10)
  const todayMs = Date.parse(today + 'T00:00:00Z')
  const onsetMs = episodes.map(e => Date.parse(e.onset + 'T00:00:00Z'))
  saveState = () => { if (opts.state) fs.writeFileSync(opts.state, JSON.stringify(state)) }
  makeRequest = () => {
    const i = state.cursor++ % episodes.length
    const d = state.next[i]++
    const daysSoFar = Math.floor((todayMs - onsetMs[i]) / 86400000) + 1
    if (daysSoFar < 1) throw new Error(`episode ${i} starts after today (${episodes[i].onset})`)
    const day = new Date(onsetMs[i] + (d % daysSoFar) * 86400000).toISOString().slice(0, 10)
    const swelling = (state.cursor % 50 === 0) ? 'mild' : 'none'
    const body = {
      checkInId: randomUUID(),
      day,
      painLevel: Math.max(0, 3 - Math.floor(d / 30)),
      painAtRest: false,
      painAtNight: false,
      swelling,
      canWalkComfortably: true,
      restHours: 1.5,
      iceMinutes: 10,
      heatMinutes: 0,
      stretchingMinutes: 15,
      nsaidTaken: false,
      symptoms: [],
      notes: d % 7 === 0 ? 'Walked to the shop and back; a bit stiff in the morning.' : null
    }
    return {
      method: 'POST',
      path: `/api/episodes/${episodes[i].episodeId}/check-ins`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${episodes[i].token}` },
      body: JSON.stringify(body)
    }
  }
} else if (mode === 'get') {
  const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : {}
  makeRequest = () => ({ method: 'GET', path: opts.path, headers })
} else {
  console.error('usage: node http-load.mjs checkins|get --url URL ...')
  process.exit(2)
}

// utime + stime of a process, in ms (clock ticks of 10 ms, as on every Linux this runs on).
function cpuMs (pid) {
  if (!pid) return null
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

// PostgreSQL's CPU in ms: utime + stime of every postgres process, and cutime + cstime for the
// children they reaped (the postmaster's ended backends).
function databaseCpuMs () {
  let total = 0
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    let stat
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8') } catch { continue }
    if (!stat.startsWith(`${pid} (postgres) `)) continue
    const fields = stat.replace(/^.*\) /, '').split(' ')
    total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10
  }
  return total
}

// All cores' busy and total time in ms, from the first line of /proc/stat (idle and iowait are not busy).
function machineCpuMs () {
  const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0) * 10
  return { busy: total - (ticks[3] + ticks[4]) * 10, total }
}

const loadCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

// The runtime's own count (System.Runtime's dotnet.gc.heap.total_allocated, a rate per second),
// read by dotnet-counters over the run: attached before the load (its first sample comes after
// about three seconds) and left to end by itself (a collector killed early leaves the target's
// metrics session open, and the next one is refused). Only samples taken wholly inside the load count.
function allocationCounter (pid, seconds) {
  if (!pid || !opts.counters) return null
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'http-load-')), 'counters.json')
  const child = spawn(opts.counters, ['collect', '-p', String(pid), '--counters', 'System.Runtime[dotnet.gc.heap.total_allocated]',
    '--format', 'json', '-o', file, '--refresh-interval', '1', '--duration', `00:00:00:${String(seconds + 6).padStart(2, '0')}`], { stdio: 'ignore' })
  const exited = new Promise(resolve => child.on('exit', resolve))
  return {
    async bytesPerSecond (from, to) {
      await exited
      const events = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).Events : []
      fs.rmSync(path.dirname(file), { recursive: true, force: true })
      const rates = events.filter(e => e.name.startsWith('dotnet.gc.heap.total_allocated'))
        .filter(e => Date.parse(e.timestamp) - 1000 >= from && Date.parse(e.timestamp) <= to).map(e => e.value)
      return rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null
    }
  }
}

async function run (seconds, record) {
  const latencies = []
  const statusCodes = {}
  const errorSamples = []
  let socketErrors = 0
  let timeouts = 0
  const counter = record && !opts.amount ? allocationCounter(opts.pid, seconds) : null
  if (counter) await new Promise(resolve => setTimeout(resolve, 3000))
  const started = process.hrtime.bigint()
  const startedAt = Date.now()
  const cpuBefore = cpuMs(opts.pid)
  const [databaseBefore, machineBefore, loadBefore] = [databaseCpuMs(), machineCpuMs(), loadCpuMs()]
  const instance = autocannon({
    url: opts.url,
    connections,
    ...(opts.amount ? { amount: Number(opts.amount) } : { duration: seconds }),
    timeout: 10,
    requests: [{
      setupRequest: (req) => ({ ...req, ...makeRequest() }),
      onResponse: (status, body) => {
        if ((status < 200 || status >= 300) && errorSamples.length < 3) errorSamples.push(`${status} ${String(body).slice(0, 300)}`)
      }
    }]
  })
  instance.on('response', (client, statusCode, resBytes, responseTime) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1
    if (record) latencies.push(responseTime)
  })
  instance.on('reqError', (error) => {
    if (/timed out/.test(String(error?.message))) timeouts++; else socketErrors++
    if (errorSamples.length < 3) errorSamples.push(String(error?.message ?? error))
  })
  const result = await instance
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  const cpuAfter = cpuMs(opts.pid)
  const [databaseAfter, machineAfter, loadAfter] = [databaseCpuMs(), machineCpuMs(), loadCpuMs()]
  const allocatedPerSecond = counter ? await counter.bytesPerSecond(startedAt, Date.now()) : null
  latencies.sort((a, b) => a - b)
  const pct = p => latencies.length ? latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(p * latencies.length) - 1))] : null
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0)
  const non2xx = Object.entries(statusCodes).filter(([code]) => code < 200 || code >= 300).reduce((a, [, n]) => a + n, 0)
  return {
    connections,
    seconds: result.duration ?? elapsed,
    requests: responses,
    rps: (responses - non2xx) / (result.duration || elapsed),
    p50: pct(0.50),
    p95: pct(0.95),
    p99: pct(0.99),
    max: latencies.length ? latencies[latencies.length - 1] : null,
    errors: non2xx + socketErrors + timeouts,
    non2xx,
    socketErrors,
    timeouts,
    statusCodes,
    errorSamples,
    cpuMsPerRequest: cpuBefore != null && responses ? (cpuAfter - cpuBefore) / responses : null,
    databaseCpuMsPerRequest: responses ? (databaseAfter - databaseBefore) / responses : null,
    loadCpuMsPerRequest: responses ? (loadAfter - loadBefore) / responses : null,
    machineCpuMsPerRequest: responses ? (machineAfter.busy - machineBefore.busy) / responses : null,
    machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    allocatedKBPerRequest: allocatedPerSecond != null && responses ? allocatedPerSecond * (result.duration || elapsed) / responses / 1024 : null
  }
}

try {
  if (warmup > 0) {
    await run(warmup, false)
    // autocannon drops its connections at the end of a run; let the server finish what was in flight.
    await new Promise(resolve => setTimeout(resolve, Number(opts.pause ?? 2) * 1000))
  }
  const measured = await run(duration, true)
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(measured, null, 2))
  console.error(`${mode} c=${connections}: ${measured.rps.toFixed(0)}/s p50 ${measured.p50?.toFixed(1)} p95 ${measured.p95?.toFixed(1)} p99 ${measured.p99?.toFixed(1)} ms, errors ${measured.errors}${measured.cpuMsPerRequest != null ? `, ${measured.cpuMsPerRequest.toFixed(2)} ms CPU/request` : ''}${measured.allocatedKBPerRequest != null ? `, ${measured.allocatedKBPerRequest.toFixed(1)} KB allocated/request` : ''}, database ${measured.databaseCpuMsPerRequest?.toFixed(2)} load ${measured.loadCpuMsPerRequest?.toFixed(2)} machine ${measured.machineCpuMsPerRequest?.toFixed(2)} ms CPU/request (${(100 * measured.machineBusy).toFixed(0)} % busy)${measured.errorSamples.length ? ' e.g. ' + measured.errorSamples[0] : ''}`)
} finally {
  saveState()
}
