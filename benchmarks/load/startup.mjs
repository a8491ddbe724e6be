// Start-up time for scripts/bench: spawns the given command and polls URL every 5 ms until it
// answers 200; prints {startupMs, pid} as JSON and leaves the process running (the caller
// stops it; its pid is in the output). Gives up after 60 s.
//   node startup.mjs URL LOGFILE -- command args...
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'

const [url, logFile, sep, command, ...args] = process.argv.slice(2)
if (sep !== '--' || !command) { console.error('usage: node startup.mjs URL LOGFILE -- command args...'); process.exit(2) }
const log = fs.openSync(logFile, 'a')
const started = process.hrtime.bigint()
const child = spawn(command, args, { stdio: ['ignore', log, log], detached: false })
child.unref()
const probe = () => new Promise(resolve => {
  const req = http.get(url, res => { res.resume(); resolve(res.statusCode) })
  req.on('error', () => resolve(0))
  req.setTimeout(1000, () => { req.destroy(); resolve(0) })
})
let exited = false
child.on('exit', () => { exited = true })
for (;;) {
  if (exited) { console.error('startup: the process exited during start-up; see ' + logFile); process.exit(1) }
  if (await probe() === 200) break
  if (Number(process.hrtime.bigint() - started) / 1e6 > 60000) { console.error('startup: no 200 within 60 s'); child.kill(); process.exit(1) }
  await new Promise(resolve => setTimeout(resolve, 5))
}
const startupMs = Number(process.hrtime.bigint() - started) / 1e6
console.log(JSON.stringify({ startupMs, pid: child.pid }))
process.exit(0)
