import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * Bodies are validated strictly: unknown fields and wrong types are errors, never coerced
 * or silently dropped (Fastify's defaults do both). Query strings and path parameters
 * arrive as text, so they alone are coerced to the schema's types.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = withFormats(
    new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false }),
  )
  const coercing = withFormats(
    new Ajv({ coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false }),
  )
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object)
}

function withFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv)
  return ajv
}
