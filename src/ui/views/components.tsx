import type { ComponentChildren } from 'preact'
import type { PageContext } from './context.js'

/** Field name → message, for errors shown next to their field. */
export type FieldErrors = Partial<Record<string, string>>

/** Errors of a form: one for the form as a whole, or one per field. */
export interface FormState {
  error?: string | undefined
  fields?: FieldErrors | undefined
  /** Values to show again (never passwords). */
  values?: Partial<Record<string, string>> | undefined
}

export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="csrf" value={ctx.csrf} />
}

/**
 * A form posting to `action` with the CSRF token. `confirm` asks first when scripts run
 * (and is skipped, harmlessly, when they do not).
 */
export function Form(props: {
  ctx: PageContext
  action: string
  children: ComponentChildren
  class?: string
  confirm?: string
  label?: string
}) {
  return (
    <form
      method="post"
      action={props.action}
      class={props.class ?? 'stack'}
      data-confirm={props.confirm}
      aria-label={props.label}
    >
      <CsrfField ctx={props.ctx} />
      {props.children}
    </form>
  )
}

/** The form-level error, focused first so it is read out. */
export function FormError({ state }: { state: FormState | undefined }) {
  if (!state?.error) return null
  return (
    <div class="alert" role="alert" tabindex={-1} autofocus>
      <p>{state.error}</p>
    </div>
  )
}

/** True for the first field with an error: it gets the focus. */
function isFirstError(state: FormState | undefined, name: string): boolean {
  if (!state?.fields || state.error) return false
  return Object.keys(state.fields).find((key) => state.fields?.[key]) === name
}

export function Field(props: {
  name: string
  label: string
  state?: FormState | undefined
  type?: 'text' | 'password' | 'search' | 'email'
  autocomplete?: string
  hint?: string
  required?: boolean
  value?: string
  maxLength?: number
  autofocus?: boolean
}) {
  const id = `field-${props.name}`
  const error = props.state?.fields?.[props.name]
  const describedBy = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ')
  const value =
    props.type === 'password' ? undefined : (props.value ?? props.state?.values?.[props.name])
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      )}
      <input
        id={id}
        name={props.name}
        // Preact types each input type apart; the three used here share every attribute.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it
        type={(props.type ?? 'text') as 'text'}
        autocomplete={props.autocomplete}
        required={props.required ?? false}
        value={value}
        maxLength={props.maxLength ?? 256}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        autofocus={isFirstError(props.state, props.name) || (props.autofocus && !props.state)}
        autocapitalize={props.type === 'password' ? undefined : 'none'}
        spellcheck={false}
      />
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  )
}

export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null
  return (
    <div class="notice" role="status">
      <p>{text}</p>
    </div>
  )
}

/** A secret shown once: selectable, with a copy button when scripts run. */
export function SecretBox(props: {
  ctx: PageContext
  heading: string
  label: string
  secret: string
  children?: ComponentChildren
}) {
  return (
    <section class="secret" aria-labelledby="secret-heading">
      <h2 id="secret-heading" tabindex={-1} autofocus>
        {props.heading}
      </h2>
      <p>{props.ctx.t.common.showOnce}</p>
      {props.children}
      <p>
        <span class="sr-only">{props.label}: </span>
        <code
          data-copy
          data-copy-label={props.ctx.t.common.copy}
          data-copied-label={props.ctx.t.common.copied}
        >
          {props.secret}
        </code>
      </p>
    </section>
  )
}

export function Pager(props: { ctx: PageContext; next: string | null; first: string | null }) {
  if (!props.next && !props.first) return null
  return (
    <nav class="pager" aria-label={props.ctx.t.common.pages}>
      {props.first && <a href={props.first}>{props.ctx.t.common.firstPage}</a>}
      {props.next && <a href={props.next}>{props.ctx.t.common.nextPage}</a>}
    </nav>
  )
}

export const isoDate = (epochMs: number | null, never: string): string =>
  epochMs === null ? never : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'

/** A table that scrolls sideways on its own (a focusable region) on narrow screens. */
export function Table(props: { label: string; columns: string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={props.label}>
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  )
}

/** A one-button form acting on the row's `id`; the button names its row for screen readers. */
export function RowAction(props: {
  ctx: PageContext
  action: string
  id: string
  label: string
  /** What the row is, read after the label: "Revoke deploy script". */
  target: string
  danger?: boolean
  confirm?: string
}) {
  return (
    <Form
      ctx={props.ctx}
      action={props.action}
      class="inline"
      {...(props.confirm && { confirm: props.confirm })}
    >
      <input type="hidden" name="id" value={props.id} />
      <button type="submit" class={props.danger ? 'danger' : 'secondary'}>
        {props.label}
        <span class="sr-only"> {props.target}</span>
      </button>
    </Form>
  )
}
