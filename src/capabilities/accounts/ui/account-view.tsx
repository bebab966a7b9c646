import { FIRST_PARTY_CLIENT_ID } from '../../sessions/index.js'
import type { GrantView } from '../../apps/index.js'
import { describeScope } from '../../apps/index.js'
import type { ApiKeyView, CreatedApiKey } from '../../machine-access/index.js'
import type { SessionView } from '../../sessions/index.js'
import type { PublicUser } from '../auth/users.js'
import { format } from '../../../ui/messages.js'
import {
  Field,
  Form,
  FormError,
  isoDate,
  Notice,
  RowAction,
  SecretBox,
  Table,
  type FormState,
} from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'
import { SecondFactors, type SecondFactorsView } from '../../second-factors/index.js'

export interface AccountView {
  user: PublicUser
  sessions: SessionView[]
  apiKeys: ApiKeyView[]
  /** Apps the user consented to. */
  grants: GrantView[]
  notice?: string | undefined
  createdKey?: CreatedApiKey | undefined
  passwordForm?: FormState | undefined
  emailForm?: FormState | undefined
  /** A new address waiting for its link to be used. */
  pendingEmail: string | null
  apiKeyForm?: FormState | undefined
  /** An error of a list action (ending a session, revoking a key). */
  actionError?: FormState | undefined
  mfa: SecondFactorsView
}

export function AccountPage({ ctx, view }: { ctx: PageContext; view: AccountView }) {
  const { t } = ctx
  const never = t.common.never
  return (
    <Layout ctx={ctx} title={t.account.title} passkeys>
      <h1>{t.account.title}</h1>
      <Notice text={view.notice} />
      <FormError state={view.actionError} />
      {view.createdKey && (
        <SecretBox
          ctx={ctx}
          heading={format(t.account.keyCreated, { name: view.createdKey.name })}
          label={t.account.apiKeysHeading}
          secret={view.createdKey.key}
        />
      )}

      <section class="card" aria-labelledby="profile">
        <h2 id="profile">{t.account.profile}</h2>
        <dl class="facts">
          <dt>{t.common.username}</dt>
          <dd>{view.user.username}</dd>
          <dt>{t.account.userId}</dt>
          <dd class="mono">{view.user.id}</dd>
          <dt>{t.account.email}</dt>
          <dd>
            {view.user.email ?? t.common.none}{' '}
            {view.user.email && (
              <span class="badge">
                {view.user.emailVerified ? t.account.verified : t.account.unverified}
              </span>
            )}
            {view.user.email && !view.user.emailVerified && (
              <Form ctx={ctx} action={`${ctx.root}/account/email/verification`} class="inline">
                {' '}
                <button type="submit" class="secondary">
                  {t.account.sendVerification}
                </button>
              </Form>
            )}
          </dd>
          <dt>{t.account.roles}</dt>
          <dd>{view.user.roles.length ? view.user.roles.join(', ') : t.common.none}</dd>
          <dt>{t.account.memberSince}</dt>
          <dd>{isoDate(view.user.createdAt, never)}</dd>
        </dl>
      </section>

      <section class="card" aria-labelledby="email">
        <h2 id="email">{t.account.emailHeading}</h2>
        {view.pendingEmail && <p>{format(t.account.emailPending, { email: view.pendingEmail })}</p>}
        <FormError state={view.emailForm} />
        <Form ctx={ctx} action={`${ctx.root}/account/email`} label={t.account.emailHeading}>
          <Field
            name="email"
            label={t.account.newEmail}
            type="email"
            autocomplete="email"
            hint={t.account.newEmailHint}
            required
            state={view.emailForm}
          />
          <button type="submit">{t.account.changeEmail}</button>
        </Form>
      </section>

      <SecondFactors ctx={ctx} view={view.mfa} />

      <section class="card" aria-labelledby="password">
        <h2 id="password">{t.account.passwordHeading}</h2>
        <FormError state={view.passwordForm} />
        <Form ctx={ctx} action={`${ctx.root}/account/password`} label={t.account.passwordHeading}>
          {/* For password managers only: named, but hidden from everyone else. */}
          <input
            type="text"
            name="username"
            value={view.user.username}
            autocomplete="username"
            aria-label={t.common.username}
            hidden
          />
          <Field
            name="current_password"
            label={t.account.currentPassword}
            type="password"
            autocomplete="current-password"
            required
            state={view.passwordForm}
          />
          <Field
            name="new_password"
            label={t.account.newPassword}
            type="password"
            autocomplete="new-password"
            hint={t.signUp.passwordHint}
            required
            state={view.passwordForm}
          />
          <div class="field">
            <label>
              <input type="checkbox" name="revoke_api_keys" value="on" checked />{' '}
              {t.account.revokeApiKeys}
            </label>
          </div>
          <button type="submit">{t.account.changePassword}</button>
        </Form>
      </section>

      <section class="card" aria-labelledby="sessions">
        <h2 id="sessions">{t.account.sessionsHeading}</h2>
        <p class="muted">{t.account.sessionsIntro}</p>
        <Table
          label={t.account.sessionsHeading}
          columns={[
            t.account.device,
            t.account.address,
            t.common.created,
            t.account.lastUsed,
            t.common.actions,
          ]}
        >
          {view.sessions.map((session) => (
            <tr key={session.id} data-session={session.id}>
              <td>
                {session.clientId === FIRST_PARTY_CLIENT_ID
                  ? (session.userAgent ?? t.common.none)
                  : format(t.account.appSession, {
                      app: session.appName ?? t.account.deletedApp,
                    })}{' '}
                {session.current && <span class="badge">{t.account.thisSession}</span>}
              </td>
              <td class="mono">{session.ip ?? t.common.none}</td>
              <td>{isoDate(session.createdAt, never)}</td>
              <td>{isoDate(session.lastUsedAt, never)}</td>
              <td>
                <RowAction
                  ctx={ctx}
                  action={`${ctx.root}/account/sessions/end`}
                  id={session.id}
                  label={t.account.endSession}
                  target={session.userAgent ?? session.id}
                  danger
                />
              </td>
            </tr>
          ))}
        </Table>
        {view.sessions.length > 1 && (
          <Form ctx={ctx} action={`${ctx.root}/account/sessions/end-others`} class="inline">
            <button type="submit" class="danger">
              {t.account.endOthers}
            </button>
          </Form>
        )}
      </section>

      <section class="card" aria-labelledby="apps">
        <h2 id="apps">{t.account.appsHeading}</h2>
        <p class="muted">{t.account.appsIntro}</p>
        {view.grants.length === 0 ? (
          <p>{t.account.noApps}</p>
        ) : (
          <Table
            label={t.account.appsHeading}
            columns={[t.account.app, t.account.granted, t.common.created, t.common.actions]}
          >
            {view.grants.map((grant) => (
              <tr key={grant.clientId} data-grant={grant.clientId}>
                <td>{grant.clientName ?? t.account.deletedApp}</td>
                <td>
                  <ul class="plain">
                    {grant.scopes.map((scope) => (
                      <li key={scope}>{describeScope(ctx, scope)}</li>
                    ))}
                  </ul>
                </td>
                <td>{isoDate(grant.createdAt, never)}</td>
                <td>
                  <RowAction
                    ctx={ctx}
                    action={`${ctx.root}/account/grants/withdraw`}
                    id={grant.clientId}
                    label={t.account.withdraw}
                    target={grant.clientName ?? grant.clientId}
                    danger
                    confirm={t.account.withdrawConfirm}
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section class="card" aria-labelledby="api-keys">
        <h2 id="api-keys">{t.account.apiKeysHeading}</h2>
        <p class="muted">{t.account.apiKeysIntro}</p>
        {view.apiKeys.length === 0 ? (
          <p>{t.account.noApiKeys}</p>
        ) : (
          <Table
            label={t.account.apiKeysHeading}
            columns={[
              t.common.name,
              t.account.lastFour,
              t.common.scopes,
              t.account.lastUsed,
              t.account.expiresAt,
              t.common.actions,
            ]}
          >
            {view.apiKeys.map((key) => (
              <tr key={key.id} data-api-key={key.id}>
                <td>{key.name}</td>
                <td class="mono">
                  {key.prefix}…{key.last4}
                </td>
                <td>{key.scopes.join(' ')}</td>
                <td>{isoDate(key.lastUsedAt, never)}</td>
                <td>{isoDate(key.expiresAt, never)}</td>
                <td>
                  <RowAction
                    ctx={ctx}
                    action={`${ctx.root}/account/api-keys/revoke`}
                    id={key.id}
                    label={t.account.revokeKey}
                    target={key.name}
                    danger
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
        <FormError state={view.apiKeyForm} />
        <Form ctx={ctx} action={`${ctx.root}/account/api-keys`} label={t.account.createKey}>
          <div class="row">
            <Field
              name="name"
              label={t.account.keyName}
              required
              maxLength={100}
              state={view.apiKeyForm}
            />
            <Field name="scopes" label={t.account.keyScopes} state={view.apiKeyForm} />
            <div class="field">
              <label for="field-expires">{t.account.keyExpires}</label>
              <select id="field-expires" name="expires">
                <option value="never">{t.account.expiresNever}</option>
                <option value="30">{t.account.expires30}</option>
                <option value="90">{t.account.expires90}</option>
                <option value="365">{t.account.expires365}</option>
              </select>
            </div>
          </div>
          <button type="submit">{t.account.createKey}</button>
        </Form>
      </section>
    </Layout>
  )
}
