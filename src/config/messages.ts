import { settings, type SettingName } from './schema.js'

interface SchemaShape {
  type?: string
  minimum?: number
  maximum?: number
  minLength?: number
  pattern?: string
  anyOf?: { const?: unknown }[]
}

/** What a value of pattern-checked settings must look like, in words. */
const PATTERN_HINTS: Partial<Record<SettingName, string>> = {
  redis: 'must be a redis:// or rediss:// URL',
  metricsToken:
    'must be at least 16 characters of letters, digits and . _ ~ + / - (a bearer token)',
}

/**
 * The rule a setting's value broke, in words a person acts on: the allowed values of an
 * enumeration, the range and unit of a number.
 */
export function describeSettingError(name: SettingName): string {
  const setting = settings[name]
  const schema = setting.schema as SchemaShape
  const unit = 'unit' in setting ? ` of ${setting.unit}` : ''
  if (schema.anyOf) {
    const values = schema.anyOf.map((option) => String(option.const))
    return `must be one of: ${values.join(', ')}`
  }
  switch (schema.type) {
    case 'integer':
      return `must be a whole number${unit} from ${schema.minimum ?? 0} to ${schema.maximum ?? 'any'}`
    case 'boolean':
      return 'must be true or false'
    case 'string':
      return (
        PATTERN_HINTS[name] ??
        `must be text of at least ${schema.minLength ?? 1} character${schema.minLength === 1 || schema.minLength === undefined ? '' : 's'}`
      )
    default:
      return 'is invalid'
  }
}
