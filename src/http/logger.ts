import type { FastifyServerOptions } from 'fastify'
import type { Config } from '../config/schema.js'
import { REDACTED_PATHS, serializeRequest } from './log-redaction.js'

/** Whether log lines are for people (a terminal) or for a collector (JSON). */
export function usePrettyLogs(format: Config['logFormat']): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true)
}

/**
 * The server's logger: JSON lines, or readable lines when a person watches (pino-pretty,
 * loaded only then). Secrets are redacted from headers and from query strings either way.
 */
export async function createLoggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
): Promise<NonNullable<FastifyServerOptions['logger']>> {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
  }
  if (!usePrettyLogs(config.logFormat)) return options
  const { default: pretty } = await import('pino-pretty')
  const stream = pretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  })
  return { ...options, stream }
}
