import {
  LogController,
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify'
import pino from 'pino'
import type { Config } from '../config/schema.js'
import { serializeRequest, serializeResponse } from './log-redaction.js'

/** Whether log lines are for people (a terminal) or for a collector (JSON). */
export function usePrettyLogs(format: Config['logFormat']): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true)
}

/** The most one write carries: a burst's backlog leaves in one go, not 16 KiB at a time. */
const MAX_WRITE_BYTES = 1024 * 1024

/**
 * JSON lines go to stdout through pino's asynchronous destination (sonic-boom): a line is
 * appended to a buffer and the event loop goes on; whatever gathers while one write is in
 * flight leaves in the next, so under load a write carries many lines. pino flushes the
 * buffer synchronously when the process exits, whatever the reason (a signal's drain, an
 * uncaught exception, `process.exit`); `flushLogs` does it earlier where that matters.
 *
 * Lines are handed over as bytes (sonic-boom's buffer mode): in its text mode each line
 * re-measures the chunk it joins, and chunks are capped at 16 KiB, one per write. Under a
 * flood that made one write per event-loop turn the limit: the backlog grew by megabytes
 * a second (docs/performance.md). The workers of `serve --workers N` write to their own
 * pipe, which the primary forwards line by line (serve.ts), so big writes never split a
 * line of another process.
 */
export function asyncStdout(fd = 1): pino.DestinationStream & { flushSync(): void } {
  const destination = pino.destination({
    dest: fd,
    sync: false,
    minLength: 0,
    maxWrite: MAX_WRITE_BYTES,
    contentMode: 'buffer',
  })
  return {
    write: (line: string) => destination.write(Buffer.from(line) as unknown as string),
    flushSync: () => destination.flushSync(),
  }
}

/**
 * The server's logger: JSON lines, or readable lines when a person watches (pino-pretty,
 * loaded only then, written synchronously as a terminal is read at once). Headers are
 * never logged and query strings' secrets are redacted either way (log-redaction.ts).
 */
export async function createLoggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
): Promise<NonNullable<FastifyServerOptions['logger']>> {
  const options = {
    level: config.logLevel,
    serializers: { req: serializeRequest, res: serializeResponse },
  }
  if (!usePrettyLogs(config.logFormat)) return { ...options, stream: asyncStdout() }
  const { default: pretty } = await import('pino-pretty')
  const stream = pretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  })
  return { ...options, stream }
}

/** Writes what the logger's destination still holds, synchronously (before a hard exit). */
export function flushLogs(log: unknown): void {
  const stream = (log as { [pino.symbols.streamSym]?: { flushSync?: () => void } })[
    pino.symbols.streamSym
  ]
  try {
    stream?.flushSync?.()
  } catch {
    // Not open yet, or already closed: nothing is waiting in it.
  }
}

/**
 * After an uncaught exception the process is in an unknown state: log why at `fatal`, write
 * out every buffered line, and exit 1 (Node's own behaviour, minus the lost lines).
 */
export function exitOnUncaughtException(log: FastifyBaseLogger): void {
  process.on('uncaughtException', (error, origin) => {
    log.fatal({ err: error, origin }, 'uncaught exception; exiting')
    flushLogs(log)
    process.exit(1)
  })
}

/**
 * One line per request at `info`, when it completes (`request completed`, or `request
 * errored` at error level): method, redacted URL, client address, status and time, under
 * the request's `reqId`. Fastify's `incoming request` line moves to `debug`: at `info` it
 * would double the cost of request logging and say nothing the completed line does not.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}
