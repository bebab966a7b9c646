#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError, GatehouseError } from '../errors.js'
import { auditCommand } from './commands/audit.js'
import { clientsCommand } from './commands/clients.js'
import { keysCommand } from './commands/keys.js'
import { migrateCommand } from './commands/migrate.js'
import { serveCommand } from './commands/serve.js'
import { usersCommand } from './commands/users.js'

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve [--host H] [--port P] [--workers N] [--database PATH|URL] [--redis URL] [--issuer URL] [--demo]
                                   run the auth server
  migrate [--database PATH]        bring the database schema up to date
  users create NAME [--role R]... [--password-stdin] [--database PATH]
                                   create a user (a strong password is generated
                                   and printed unless --password-stdin is given)
  users set-role NAME ROLES [--database PATH]
                                   replace a user's roles (comma-separated, "" for none)
  keys rotate | keys list [--database PATH]
                                   promote the next signing key / show published keys
  clients create NAME [--scopes "a b"] [--database PATH]
                                   create an OAuth client (prints its secret once)
  audit export [--since TIME] [--until TIME] [--type TYPE] [--user ID] [--database PATH]
                                   audit events as JSON lines, oldest first; TIME is
                                   ISO 8601 or an age (90m, 24h, 7d)

Settings also come from the environment (GATEHOUSE_*, DATABASE_URL); see docs/configuration.md.`

const options = {
  host: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  database: { type: 'string' },
  redis: { type: 'string' },
  issuer: { type: 'string' },
  demo: { type: 'boolean' },
  role: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  scopes: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  type: { type: 'string' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true })
  const [command, ...rest] = positionals
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined && !values.help ? 2 : 0
  }
  const settings = {
    ...(values.host !== undefined && { host: values.host }),
    ...(values.port !== undefined && { port: values.port }),
    ...(values.workers !== undefined && { workers: values.workers }),
    ...(values.database !== undefined && { database: values.database }),
    ...(values.redis !== undefined && { redis: values.redis }),
    ...(values.issuer !== undefined && { issuer: values.issuer }),
    ...(values.demo !== undefined && { demo: values.demo }),
  }
  switch (command) {
    case 'serve':
      return serveCommand(settings)
    case 'migrate':
      return migrateCommand(settings)
    case 'users':
      return usersCommand(rest, settings, {
        roles: values.role ?? [],
        passwordFromStdin: values['password-stdin'] ?? false,
      })
    case 'keys':
      return keysCommand(rest, settings)
    case 'audit':
      return auditCommand(rest, settings, {
        since: values.since,
        until: values.until,
        type: values.type,
        user: values.user,
      })
    case 'clients':
      return clientsCommand(rest, settings, values.scopes ?? '')
    default:
      process.stderr.write(`gatehouse: unknown command "${command}"\n\n${USAGE}\n`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${error.message}\n`)
      process.exitCode = 2
    } else if (error instanceof GatehouseError) {
      process.stderr.write(`gatehouse: ${error.hasCustomMessage ? error.message : error.code}\n`)
      process.exitCode = 1
    } else if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`gatehouse: ${error.message}\n\n${USAGE}\n`)
      process.exitCode = 2
    } else {
      process.stderr.write(
        `gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      )
      process.exitCode = 1
    }
  },
)
