#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { settings as SETTINGS, type SettingName } from '../config/schema.js'
import { describeFailure } from './failures.js'
import type { Settings } from './open.js'

/**
 * Flags that set a setting (`--port 9000` is GATEHOUSE_PORT=9000), as the settings table
 * names them: a setting given a flag there is a flag here.
 */
const SETTING_FLAGS = Object.entries(SETTINGS).flatMap(([name, setting]) =>
  setting.flag === null
    ? []
    : [
        {
          name: name as SettingName,
          flag: setting.flag,
          boolean: (setting.schema as { type?: string }).type === 'boolean',
        },
      ],
)

const settingOptions: Record<string, { type: 'string' } | { type: 'boolean' }> = Object.fromEntries(
  SETTING_FLAGS.map((f) => [f.flag, { type: f.boolean ? 'boolean' : 'string' }] as const),
)

const commandOptions = {
  role: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  email: { type: 'string' },
  'email-verified': { type: 'boolean' },
  scopes: { type: 'string' },
  introspect: { type: 'boolean' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'grant-types': { type: 'string' },
  public: { type: 'boolean' },
  'auth-method': { type: 'string' },
  'skip-consent': { type: 'boolean' },
  'id-token-alg': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  type: { type: 'string' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

const options = { ...settingOptions, ...commandOptions }

type Values = ReturnType<
  typeof parseArgs<{ options: typeof commandOptions; allowPositionals: true }>
>['values']

interface Command {
  usage: string
  summary: string
  /** Setting flags the command takes, documented from the settings table. */
  flags: readonly SettingName[]
  extra?: string
  /** Loaded on use, so `--version` and `help` start instantly and need no native module. */
  run: (args: string[], settings: Settings, values: Values) => Promise<number>
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage:
      'serve [--host H] [--port P] [--workers N] [--database PATH|URL] [--redis URL] [--issuer URL] [--demo]',
    summary: 'run the auth server (until SIGTERM or Ctrl-C)',
    flags: ['host', 'port', 'workers', 'database', 'redis', 'issuer', 'demo'],
    run: async (_args, settings) => (await import('./commands/serve.js')).serveCommand(settings),
  },
  migrate: {
    usage: 'migrate [--database PATH|URL]',
    summary: 'create the database if needed and bring its schema up to date',
    flags: ['database'],
    run: async (_args, settings) =>
      (await import('./commands/migrate.js')).migrateCommand(settings),
  },
  users: {
    usage:
      'users create NAME [--role R]... [--email E [--email-verified]] [--password-stdin] [--database PATH|URL]\n' +
      '  users set-role NAME ROLES [--database PATH|URL]\n' +
      '  users set-email NAME EMAIL|"" [--email-verified] [--database PATH|URL]',
    summary:
      'create a user (a strong password is generated and printed unless --password-stdin),\n' +
      'replace a user\'s roles (comma-separated, "" for none), or set their email ("" for none;\n' +
      '--email-verified vouches for it)',
    flags: ['database'],
    run: async (args, settings, values) =>
      (await import('../capabilities/admin/cli/users.js')).usersCommand(args, settings, {
        roles: values.role ?? [],
        passwordFromStdin: values['password-stdin'] ?? false,
        email: values.email,
        emailVerified: values['email-verified'] ?? false,
      }),
  },
  keys: {
    usage: 'keys list | keys rotate | keys revoke KID [--database PATH|URL]',
    summary:
      'show the published signing keys; promote the next key to current; or withdraw a\n' +
      'compromised key (out of the JWKS, every token it signed refused)',
    flags: ['database'],
    run: async (args, settings) =>
      (await import('../capabilities/keys/cli/keys.js')).keysCommand(args, settings),
  },
  clients: {
    usage:
      'clients create NAME [--scopes "a b"] [--introspect] [--redirect-uri URI]...\n' +
      '  [--post-logout-redirect-uri URI]... [--public | --auth-method M] [--grant-types "a b"]\n' +
      '  [--skip-consent] [--id-token-alg RS256|ES256|EdDSA] [--database PATH|URL]',
    summary:
      'create an OAuth client (prints its secret once); --introspect lets it call\n' +
      '/oauth/introspect. With --redirect-uri it is an app (authorization code flow);\n' +
      '--public makes it a public client (SPA, mobile: no secret, PKCE only)',
    flags: ['database'],
    run: async (args, settings, values) =>
      (await import('../capabilities/machine-access/cli/clients.js')).clientsCommand(
        args,
        settings,
        {
          scopes: values.scopes ?? '',
          introspect: values.introspect ?? false,
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
          grantTypes: values['grant-types'],
          authMethod: values.public === true ? 'none' : values['auth-method'],
          skipConsent: values['skip-consent'] ?? false,
          idTokenAlg: values['id-token-alg'],
        },
      ),
  },
  audit: {
    usage:
      'audit export [--since TIME] [--until TIME] [--type TYPE] [--user ID] [--database PATH|URL]',
    summary: 'audit events as JSON lines, oldest first',
    extra:
      'TIME is ISO 8601 or an age (90m, 24h, 7d). Through npm, use `npm run -s gatehouse -- audit export`\n' +
      '(or npx gatehouse) so that npm adds no banner to the output.',
    flags: ['database'],
    run: async (args, settings, values) =>
      (await import('../capabilities/admin/cli/audit.js')).auditCommand(args, settings, {
        since: values.since,
        until: values.until,
        type: values.type,
        user: values.user,
      }),
  },
  mail: {
    usage: 'mail outbox [--database PATH|URL]',
    summary:
      'print the newest messages kept because no SMTP server is configured\n' +
      '(GATEHOUSE_SMTP_URL), with their text and links',
    flags: ['database'],
    run: async (args, settings) =>
      (await import('../capabilities/email/cli/mail.js')).mailCommand(args, settings),
  },
  backup: {
    usage: 'backup FILE [--database PATH]',
    summary:
      'write a consistent copy of a live SQLite database (and its generated secret) to FILE;\n' +
      'restore by putting both back in place (docs/operations.md)',
    flags: ['database'],
    run: async (args, settings) =>
      (await import('./commands/backup.js')).backupCommand(args, settings),
  },
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string }
  return manifest.version
}

function overview(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(9)}${command.summary.split('\n')[0] ?? ''}`,
  )
  return (
    'Usage: gatehouse <command> [options]\n\nCommands:\n' +
    `${lines.join('\n')}\n  help     this text, or \`gatehouse help <command>\`\n\n` +
    'Every command takes --database PATH|URL (default ./gatehouse.db; env DATABASE_URL).\n' +
    'Settings also come from the environment (GATEHOUSE_*): docs/configuration.md.\n' +
    '`gatehouse <command> --help` shows a command in full; `gatehouse --version` the version.'
  )
}

/** One command's usage, with each flag's environment variable and default. */
function commandHelp(command: Command): string {
  const flags = command.flags.map((name) => {
    const setting = SETTINGS[name]
    const flag = setting.flag ?? name
    const schema = setting.schema as { default?: string | number | boolean }
    const fallback = schema.default === undefined ? '' : `, default ${String(schema.default)}`
    return `  --${flag.padEnd(10)}${setting.description}\n${' '.repeat(14)}(env ${setting.env}${fallback})`
  })
  return (
    `Usage: gatehouse ${command.usage}\n\n${command.summary}\n` +
    (command.extra === undefined ? '' : `\n${command.extra}\n`) +
    (flags.length > 0 ? `\nOptions:\n${flags.join('\n')}\n` : '') +
    '\nOther settings come from the environment: docs/configuration.md.'
  )
}

/** Stands in for an argument that is a value although it starts with '-' (see below). */
const HELD = '\u0000held:'

/**
 * parseArgs reads every argument that starts with '-' as an option, but key ids (RFC 7638
 * thumbprints in base64url) may start with '-' too: `keys revoke -0Xa…` must revoke, not
 * fail on "Unknown option '-0'". An argument with one dash and more than one character
 * after it cannot be one of our flags (long ones have two dashes, short ones one letter),
 * so it is held out of option parsing and put back as the value it is.
 */
function parseCommandLine(argv: string[]) {
  const held = argv.map((arg) => (/^-[^-].+/.test(arg) ? `${HELD}${arg}` : arg))
  const parsed = parseArgs({ args: held, options, allowPositionals: true })
  const restore = (value: string) => (value.startsWith(HELD) ? value.slice(HELD.length) : value)
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? restore(value)
        : Array.isArray(value)
          ? value.map((item) => (typeof item === 'string' ? restore(item) : item))
          : value,
    ]),
  )
  return { positionals: parsed.positionals.map(restore), values }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv)
  const positionals = parsed.positionals
  const values = parsed.values as Values & Record<string, string | boolean | undefined>
  const [name, ...rest] = positionals
  if (values.version) {
    process.stdout.write(`gatehouse ${version()}\n`)
    return 0
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]]
    process.stdout.write(`${topic ? commandHelp(topic) : overview()}\n`)
    return 0
  }
  if (name === undefined) {
    process.stdout.write(`${overview()}\n`)
    return values.help ? 0 : 2
  }
  const command = COMMANDS[name]
  if (command === undefined) {
    process.stderr.write(`gatehouse: unknown command "${name}"\n\n${overview()}\n`)
    return 2
  }
  if (values.help) {
    process.stdout.write(`${commandHelp(command)}\n`)
    return 0
  }
  const settings: Settings = {}
  for (const { name: setting, flag } of SETTING_FLAGS) {
    if (values[flag] !== undefined) settings[setting] = values[flag]
  }
  return command.run(rest, settings, values)
}

function isUsageError(error: unknown): error is TypeError {
  return (
    error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
  )
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (isUsageError(error)) {
      process.stderr.write(`gatehouse: ${error.message}\n\n${overview()}\n`)
      process.exitCode = 2
      return
    }
    const isSetup = error instanceof Error && error.name === 'ConfigError'
    process.stderr.write(`gatehouse: ${describeFailure(error)}\n`)
    if (['debug', 'trace'].includes(process.env['GATEHOUSE_LOG_LEVEL'] ?? '')) {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`)
    }
    process.exitCode = isSetup ? 2 : 1
  },
)
