import { expect } from 'vitest'
import type { PageClient } from '../helpers/page-client.js'
import { pathOf } from '../helpers/oidc.js'

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
}

/** The hidden fields of the last page's forms (the consent page's request parameters). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[match[1]!] = match[2]!.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e] ?? e)
  }
  return fields
}

/**
 * A browser without JavaScript through the authorization endpoint: signs in when sent to
 * the sign-in page, answers the consent page, and returns where it was sent back to.
 */
export async function authorizeInBrowser(
  browser: PageClient,
  url: URL | string,
  options: { username?: string; password?: string; consent?: 'allow' | 'deny' } = {},
): Promise<URL> {
  let res = await browser.get(pathOf(url))
  if (res.statusCode === 302 && String(res.headers.location).includes('/ui/sign-in')) {
    const signIn = String(res.headers.location)
    await browser.get(signIn)
    res = await browser.post(signIn, {
      username: options.username ?? 'user1',
      password: options.password ?? 'password1',
    })
    expect(res.statusCode, res.body).toBe(303)
    res = await browser.get(String(res.headers.location))
  }
  if (res.statusCode === 200 && res.body.includes('name="decision"')) {
    const fields = hiddenFields(res.body)
    res = await browser.post(
      '/oauth/authorize/decision',
      { ...fields, decision: options.consent ?? 'allow' },
      { csrf: null },
    )
  }
  expect([302, 303], res.body).toContain(res.statusCode)
  return new URL(String(res.headers.location))
}
