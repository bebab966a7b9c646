// What argon2id at Gatehouse's parameters allows on these cores: password verifications
// through the same hasher the server uses, kept busy with `inFlight` at a time.
import { createPasswordHasher } from '../../src/tokens/password.js'

const seconds = Number(process.argv[2] ?? 5)
const inFlight = Number(process.argv[3] ?? 8)
const hasher = createPasswordHasher()
const hash = await hasher.hash('password1')
let done = 0
const end = performance.now() + seconds * 1000
async function lane(): Promise<void> {
  while (performance.now() < end) {
    if (!(await hasher.verify(hash, 'password1'))) throw new Error('bad')
    done++
  }
}
const start = performance.now()
await Promise.all(Array.from({ length: inFlight }, lane))
process.stdout.write(
  `${JSON.stringify({ perSecond: done / ((performance.now() - start) / 1000) })}\n`,
)
