import type { FactorView } from '../auth/second-factors.js'
import { format } from '../../../ui/messages.js'
import {
  Field,
  Form,
  FormError,
  isoDate,
  RowAction,
  Table,
  type FormState,
} from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { PasskeyForm } from './passkey-view.js'

export interface TotpSetupView {
  id: string
  secret: string
  /** The otpauth URI as a QR code image (a data: URL, which the CSP's img-src allows). */
  qr: string
}

export interface SecondFactorsView {
  factors: FactorView[]
  recoveryCodesLeft: number
  setup?: TotpSetupView | undefined
  /** Shown once, right after they were made. */
  recoveryCodes?: string[] | undefined
  form?: FormState | undefined
}

/** The account page's second factors: list, add an authenticator app, recovery codes. */
export function SecondFactors({ ctx, view }: { ctx: PageContext; view: SecondFactorsView }) {
  // The first factor shuts out the sessions that did not pass it, unless the person
  // unticks this (auth/second-factors.ts afterEnrolment).
  const first = view.factors.length === 0
  const endOthers = (
    <div class="field">
      <label>
        <input type="checkbox" name="end_other_sessions" value="on" checked />{' '}
        {ctx.t.mfa.endOtherSessions}
      </label>
    </div>
  )
  const { t } = ctx
  return (
    <section class="card" aria-labelledby="mfa">
      <h2 id="mfa">{t.mfa.heading}</h2>
      <p class="muted">{t.mfa.intro}</p>
      <FormError state={view.form} />
      {view.recoveryCodes && (
        <section class="secret" aria-labelledby="codes-heading">
          <h3 id="codes-heading" tabindex={-1} autofocus>
            {t.mfa.codesHeading}
          </h3>
          <p>{t.mfa.codesIntro}</p>
          <ul class="codes mono">
            {view.recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </section>
      )}
      {view.factors.length === 0 ? (
        <p>{t.mfa.none}</p>
      ) : (
        <>
          <Table
            label={t.mfa.heading}
            columns={[t.common.name, t.common.created, t.account.lastUsed, t.common.actions]}
          >
            {view.factors.map((factor) => (
              <tr key={factor.id} data-factor={factor.id}>
                <td>{factor.name}</td>
                <td>{isoDate(factor.createdAt, t.common.never)}</td>
                <td>{isoDate(factor.lastUsedAt, t.common.never)}</td>
                <td>
                  <RowAction
                    ctx={ctx}
                    action={`${ctx.root}/account/mfa/remove`}
                    id={factor.id}
                    label={t.mfa.remove}
                    target={factor.name}
                    danger
                  />
                </td>
              </tr>
            ))}
          </Table>
          <p>{format(t.mfa.codesLeft, { count: String(view.recoveryCodesLeft) })}</p>
          <Form ctx={ctx} action={`${ctx.root}/account/mfa/recovery-codes`} class="inline">
            <button type="submit" class="secondary">
              {t.mfa.newCodes}
            </button>
          </Form>
        </>
      )}
      <PasskeyForm
        ctx={ctx}
        purpose="register"
        action={`${ctx.root}/account/passkeys`}
        label={t.mfa.addPasskey}
      >
        <Field
          name="passkey_name"
          label={t.mfa.passkeyName}
          hint={t.mfa.passkeyNameHint}
          maxLength={100}
        />
        {first && endOthers}
      </PasskeyForm>
      {view.setup ? (
        <div class="setup">
          <h3>{t.mfa.setupHeading}</h3>
          <p>{t.mfa.setupIntro}</p>
          <img src={view.setup.qr} alt={t.mfa.qrAlt} width={200} height={200} />
          <p>
            {t.mfa.secretLabel} <code class="mono">{view.setup.secret}</code>
          </p>
          <Form ctx={ctx} action={`${ctx.root}/account/mfa/totp/verify`} label={t.mfa.setupHeading}>
            <input type="hidden" name="id" value={view.setup.id} />
            <Field
              name="code"
              label={t.mfa.code}
              autocomplete="one-time-code"
              required
              autofocus
              state={view.form}
            />
            {first && endOthers}
            <button type="submit">{t.mfa.activate}</button>
          </Form>
        </div>
      ) : (
        <Form ctx={ctx} action={`${ctx.root}/account/mfa/totp`} class="inline">
          <button type="submit">{t.mfa.addApp}</button>
        </Form>
      )}
    </section>
  )
}
