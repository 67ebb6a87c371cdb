// simulate.mjs runs a batch of simulations through @cloud-copilot/iam-simulate
// (installed here by `make oracle`) for permgraph's differential test.
//
// stdin:  [{name, sim}]  where sim is iam-simulate's public Simulation object
// stdout: [{name, decision, ignoredContextKeys?, error?}]
//         decision is 'Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied' or
//         'Error' (then error holds the peer's message and details).
//
// Every case runs in Strict mode: context keys that are not supplied are
// absent, as in a real AWS request.
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function simulate(c) {
  try {
    const r = await runSimulation(c.sim, { simulationMode: 'Strict' })
    if (r.resultType === 'error') {
      return { name: c.name, decision: 'Error', error: JSON.stringify(r.errors) }
    }
    const out = { name: c.name, decision: r.overallResult }
    const ignored = r.resultType === 'single' ? r.result.ignoredContextKeys : []
    if (ignored && ignored.length > 0) out.ignoredContextKeys = ignored
    return out
  } catch (err) {
    return { name: c.name, decision: 'Error', error: String(err && err.stack || err) }
  }
}

const cases = JSON.parse(await readStdin())
if (!Array.isArray(cases)) {
  console.error('simulate.mjs: stdin must be a JSON array of {name, sim}')
  process.exit(2)
}
const results = []
for (const c of cases) results.push(await simulate(c))
process.stdout.write(JSON.stringify(results))
