import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import fastJsonStringify, { type Schema } from 'fast-json-stringify'

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
    validatorOnFirstUse(() => (httpPart === 'body' ? strict : coercing).compile(schema as object))
}

/**
 * Responses are serialized by fast-json-stringify, as Fastify does by default, but each
 * route's serializer is built when the route first answers with that status.
 */
export function createSerializerCompiler(): FastifySerializerCompiler<unknown> {
  return ({ schema }) => onFirstUse(() => fastJsonStringify(schema as Schema))
}

/*
 * Why on first use: compiling every route's validators and serializers at start-up was
 * about half a second and a few MiB of generated code (docs/performance.md), for routes
 * of which a deployment answers a handful. The first request of a route pays its ~1 ms.
 */

/** `compile()`'s function, built on the first call. */
function onFirstUse<T, R>(compile: () => (value: T) => R): (value: T) => R {
  let compiled: ((value: T) => R) | undefined
  return (value) => (compiled ??= compile())(value)
}

/** Fastify's validator shape (`FastifyValidationResult`), for Ajv's synchronous validators. */
type Validator = ReturnType<FastifySchemaCompiler<unknown>>

/** A validator built on the first call; Fastify reads a failed call's `errors` from it. */
function validatorOnFirstUse(compile: () => Validator): Validator {
  let compiled: Validator | undefined
  const validate: Validator = (data) => {
    compiled ??= compile()
    const valid = compiled(data)
    validate.errors = compiled.errors ?? null
    return valid
  }
  return validate
}

function withFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv)
  return ajv
}
