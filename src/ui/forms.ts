import Type, { type TProperties } from 'typebox'

/**
 * A posted form: its fields and the CSRF token; any other field is refused (400). The
 * token is optional here so that a missing one is a CSRF refusal (403), checked first.
 */
export function formBody<P extends TProperties>(fields: P) {
  return Type.Object(
    { csrf: Type.Optional(Type.String({ maxLength: 128 })), ...fields },
    { additionalProperties: false },
  )
}

export const text = (maxLength = 256) => Type.String({ maxLength })
/** Long enough for any password the policy accepts; longer ones are refused by the use case. */
export const secret = () => Type.String({ maxLength: 4096 })
export const optionalText = (maxLength = 256) => Type.Optional(Type.String({ maxLength }))

/** Space- or comma-separated words (roles, scopes) as a list. */
export const words = (value: string | undefined): string[] =>
  (value ?? '').split(/[\s,]+/).filter((word) => word.length > 0)
