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
// every response); --pid PID adds the CPU time that process spent per answered request.
import autocannon from 'autocannon'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'

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

async function run (seconds, record) {
  const latencies = []
  const statusCodes = {}
  const errorSamples = []
  let socketErrors = 0
  let timeouts = 0
  const started = process.hrtime.bigint()
  const cpuBefore = cpuMs(opts.pid)
  const instance = autocannon({
    url: opts.url,
    connections,
    duration: seconds,
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
    cpuMsPerRequest: cpuBefore != null && responses ? (cpuAfter - cpuBefore) / responses : null
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
  console.error(`${mode} c=${connections}: ${measured.rps.toFixed(0)}/s p50 ${measured.p50?.toFixed(1)} p95 ${measured.p95?.toFixed(1)} p99 ${measured.p99?.toFixed(1)} ms, errors ${measured.errors}${measured.cpuMsPerRequest != null ? `, ${measured.cpuMsPerRequest.toFixed(2)} ms CPU/request` : ''}${measured.errorSamples.length ? ' e.g. ' + measured.errorSamples[0] : ''}`)
} finally {
  saveState()
}
