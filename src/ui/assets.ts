import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { SCRIPT } from './assets/script.js'
import { STYLES } from './assets/styles.js'

export interface Asset {
  /** Path under the pages' root, with the content hash: `assets/app.3f2a….css`. */
  path: string
  type: string
  body: string
}

export interface Assets {
  stylesheet: Asset
  script: Asset
  /** @simplewebauthn/browser, for the pages that offer passkeys. */
  webauthn: Asset
  byPath: ReadonlyMap<string, Asset>
}

const hashOf = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 16)

function asset(name: string, extension: string, type: string, body: string): Asset {
  return { path: `assets/${name}.${hashOf(body)}.${extension}`, type, body }
}

/**
 * The stylesheet (with the configured accent) and the script, named by their content's
 * hash, so they can be cached for a year: a change is a new name.
 */
export function buildAssets(accent: string): Assets {
  const stylesheet = asset(
    'app',
    'css',
    'text/css; charset=utf-8',
    `:root{--accent:${accent}}${STYLES}`,
  )
  const script = asset('app', 'js', 'text/javascript; charset=utf-8', SCRIPT)
  const webauthn = asset('webauthn', 'js', 'text/javascript; charset=utf-8', webauthnLibrary())
  return {
    stylesheet,
    script,
    webauthn,
    byPath: new Map([stylesheet, script, webauthn].map((a) => [a.path, a])),
  }
}

/** The browser half of SimpleWebAuthn as its authors bundle it (a global `SimpleWebAuthnBrowser`). */
function webauthnLibrary(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser')
  return readFileSync(join(dirname(entry), '../dist/bundle/index.umd.min.js'), 'utf8')
}
