import type { ComponentChildren } from 'preact'
import type { AdminUserView } from '../auth/admin-users.js'
import type { ClientView, CreatedClient } from '../../machine-access/index.js'
import type { SigningKeyView } from '../../keys/index.js'
import type { AuditEventRecord, AuditEventType } from '../../../auth/audit.js'
import { format } from '../../../ui/messages.js'
import {
  Field,
  Form,
  FormError,
  isoDate,
  Notice,
  Pager,
  RowAction,
  SecretBox,
  Table,
  type FormState,
} from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'

export type AdminTab = 'users' | 'audit' | 'clients' | 'keys'

/** What every admin page may show above its content. */
export interface AdminMessages {
  notice?: string | undefined
  actionError?: FormState | undefined
}

function AdminLayout(props: {
  ctx: PageContext
  tab: AdminTab
  messages: AdminMessages
  children: ComponentChildren
}) {
  const { ctx } = props
  const { t } = ctx
  const tabs: [AdminTab, string][] = [
    ['users', t.admin.users],
    ['audit', t.admin.audit],
    ['clients', t.admin.clients],
    ['keys', t.admin.keys],
  ]
  const title = tabs.find(([tab]) => tab === props.tab)?.[1] ?? t.admin.title
  return (
    <Layout ctx={ctx} title={`${title} · ${t.admin.title}`}>
      <h1>{t.admin.title}</h1>
      <nav aria-label={t.admin.title}>
        <ul>
          {tabs.map(([tab, label]) => (
            <li key={tab}>
              <a
                href={`${ctx.root}/admin/${tab}`}
                aria-current={tab === props.tab ? 'page' : undefined}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Notice text={props.messages.notice} />
      <FormError state={props.messages.actionError} />
      {props.children}
    </Layout>
  )
}

export interface UsersView extends AdminMessages {
  users: AdminUserView[]
  search: string
  nextPage: string | null
  firstPage: string | null
  createForm?: FormState | undefined
}

export function AdminUsersPage({ ctx, view }: { ctx: PageContext; view: UsersView }) {
  const { t } = ctx
  const root = `${ctx.root}/admin/users`
  return (
    <AdminLayout ctx={ctx} tab="users" messages={view}>
      <section class="card" aria-labelledby="users-heading">
        <h2 id="users-heading">{t.admin.users}</h2>
        <form method="get" action={root} class="row" role="search">
          <Field name="q" label={t.admin.search} type="search" value={view.search} />
          <button type="submit" class="secondary">
            {t.admin.searchSubmit}
          </button>
        </form>
        {view.users.length === 0 ? (
          <p>{t.admin.noUsers}</p>
        ) : (
          <Table
            label={t.admin.users}
            columns={[
              t.common.username,
              t.account.roles,
              t.admin.status,
              t.common.created,
              t.common.actions,
            ]}
          >
            {view.users.map((user) => (
              <tr key={user.id} data-user={user.username}>
                <td>
                  {user.username}
                  <br />
                  <span class="muted mono">{user.id}</span>
                  {user.email && (
                    <>
                      <br />
                      <span class="mono">{user.email}</span>{' '}
                      <span class="badge">
                        {user.emailVerified ? t.account.verified : t.account.unverified}
                      </span>
                    </>
                  )}
                </td>
                <td>
                  <Form ctx={ctx} action={`${root}/roles`} class="row">
                    <input type="hidden" name="id" value={user.id} />
                    <div class="field">
                      <label for={`roles-${user.id}`} class="sr-only">
                        {`${t.account.roles}: ${user.username}`}
                      </label>
                      <input
                        id={`roles-${user.id}`}
                        type="text"
                        name="roles"
                        value={user.roles.join(' ')}
                        maxLength={512}
                        autocapitalize="none"
                      />
                    </div>
                    <button type="submit" class="secondary">
                      {t.admin.saveRoles}
                    </button>
                  </Form>
                </td>
                <td>
                  <span class="badge">{user.disabled ? t.admin.disabled : t.admin.active}</span>{' '}
                  {user.mfaEnabled && <span class="badge">{t.admin.mfaOn}</span>}
                </td>
                <td>{isoDate(user.createdAt, t.common.never)}</td>
                <td>
                  <div class="row">
                    <RowAction
                      ctx={ctx}
                      action={`${root}/${user.disabled ? 'enable' : 'disable'}`}
                      id={user.id}
                      label={user.disabled ? t.admin.enable : t.admin.disable}
                      target={user.username}
                    />
                    {user.mfaEnabled && (
                      <RowAction
                        ctx={ctx}
                        action={`${root}/reset-mfa`}
                        id={user.id}
                        label={t.admin.resetMfa}
                        target={user.username}
                        confirm={`${t.admin.resetMfa}: ${user.username}?`}
                      />
                    )}
                    <RowAction
                      ctx={ctx}
                      action={`${root}/delete`}
                      id={user.id}
                      label={t.admin.delete}
                      target={user.username}
                      danger
                      confirm={`${t.admin.delete} ${user.username}?`}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Pager ctx={ctx} next={view.nextPage} first={view.firstPage} />
      </section>
      <section class="card" aria-labelledby="create-user">
        <h2 id="create-user">{t.admin.createUser}</h2>
        <FormError state={view.createForm} />
        <Form ctx={ctx} action={`${root}/create`} label={t.admin.createUser}>
          <Field
            name="username"
            label={t.common.username}
            autocomplete="off"
            required
            state={view.createForm}
          />
          <Field
            name="password"
            label={t.common.password}
            type="password"
            autocomplete="new-password"
            required
            state={view.createForm}
          />
          <Field
            name="email"
            label={t.admin.emailField}
            type="email"
            autocomplete="off"
            maxLength={254}
            state={view.createForm}
          />
          <Field name="roles" label={t.admin.rolesField} state={view.createForm} />
          <button type="submit">{t.admin.createUser}</button>
        </Form>
      </section>
    </AdminLayout>
  )
}

export interface AuditView extends AdminMessages {
  events: AuditEventRecord[]
  types: readonly AuditEventType[]
  type: string
  userId: string
  nextPage: string | null
  firstPage: string | null
}

export function AdminAuditPage({ ctx, view }: { ctx: PageContext; view: AuditView }) {
  const { t } = ctx
  return (
    <AdminLayout ctx={ctx} tab="audit" messages={view}>
      <section class="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">{t.admin.audit}</h2>
        <form
          method="get"
          action={`${ctx.root}/admin/audit`}
          class="row"
          aria-label={t.admin.filter}
        >
          <div class="field">
            <label for="field-type">{t.admin.eventType}</label>
            <select id="field-type" name="type">
              <option value="" selected={view.type === ''}>
                {t.admin.anyEvent}
              </option>
              {view.types.map((type) => (
                <option key={type} value={type} selected={view.type === type}>
                  {type}
                </option>
              ))}
            </select>
          </div>
          <Field name="user_id" label={t.admin.userIdFilter} value={view.userId} maxLength={64} />
          <button type="submit" class="secondary">
            {t.admin.filter}
          </button>
        </form>
        {view.events.length === 0 ? (
          <p>{t.admin.noEvents}</p>
        ) : (
          <Table
            label={t.admin.audit}
            columns={[t.admin.time, t.admin.eventType, t.admin.user, t.admin.ip, t.admin.details]}
          >
            {view.events.map((event) => (
              <tr key={event.id} data-event={event.type}>
                <td>{isoDate(event.at, t.common.never)}</td>
                <td>{event.type}</td>
                <td class="mono">{event.userId ?? t.common.none}</td>
                <td class="mono">{event.ip ?? t.common.none}</td>
                <td class="mono">{JSON.stringify(event.details)}</td>
              </tr>
            ))}
          </Table>
        )}
        <Pager ctx={ctx} next={view.nextPage} first={view.firstPage} />
      </section>
    </AdminLayout>
  )
}

export interface ClientsView extends AdminMessages {
  clients: ClientView[]
  created?: CreatedClient | undefined
  createForm?: FormState | undefined
  nextPage: string | null
  firstPage: string | null
}

export function AdminClientsPage({ ctx, view }: { ctx: PageContext; view: ClientsView }) {
  const { t } = ctx
  const root = `${ctx.root}/admin/clients`
  return (
    <AdminLayout ctx={ctx} tab="clients" messages={view}>
      {view.created && view.created.clientSecret !== null && (
        <SecretBox
          ctx={ctx}
          heading={format(t.admin.clientCreated, { name: view.created.name })}
          label={t.admin.clientSecret}
          secret={view.created.clientSecret}
        >
          <p>
            {t.admin.clientId}: <code data-client-id>{view.created.clientId}</code>
          </p>
        </SecretBox>
      )}
      {view.created && view.created.clientSecret === null && (
        <section class="secret" aria-labelledby="secret-heading">
          <h2 id="secret-heading" tabindex={-1} autofocus>
            {format(t.admin.clientCreated, { name: view.created.name })}
          </h2>
          <p>
            {t.admin.clientId}: <code data-client-id>{view.created.clientId}</code>
          </p>
          <p>{t.admin.publicClient}</p>
        </section>
      )}
      <section class="card" aria-labelledby="clients-heading">
        <h2 id="clients-heading">{t.admin.clients}</h2>
        {view.clients.length === 0 ? (
          <p>{t.admin.noClients}</p>
        ) : (
          <Table
            label={t.admin.clients}
            columns={[
              t.common.name,
              t.admin.clientId,
              t.common.scopes,
              t.admin.redirectUris,
              t.common.created,
              t.common.actions,
            ]}
          >
            {view.clients.map((client) => (
              <tr key={client.clientId} data-client={client.clientId}>
                <td>{client.name}</td>
                <td class="mono">{client.clientId}</td>
                <td>{client.scopes.join(' ')}</td>
                <td class="mono">{client.redirectUris.join(' ')}</td>
                <td>{isoDate(client.createdAt, t.common.never)}</td>
                <td>
                  <RowAction
                    ctx={ctx}
                    action={`${root}/delete`}
                    id={client.clientId}
                    label={t.admin.delete}
                    target={client.name}
                    danger
                    confirm={`${t.admin.delete} ${client.name}?`}
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Pager ctx={ctx} next={view.nextPage} first={view.firstPage} />
      </section>
      <section class="card" aria-labelledby="create-client">
        <h2 id="create-client">{t.admin.createClient}</h2>
        <FormError state={view.createForm} />
        <Form ctx={ctx} action={`${root}/create`} label={t.admin.createClient}>
          <Field
            name="name"
            label={t.admin.clientName}
            required
            maxLength={100}
            state={view.createForm}
          />
          <Field name="scopes" label={t.admin.clientScopes} required state={view.createForm} />
          <div class="field">
            <label for="field-kind">{t.admin.clientKind}</label>
            <select id="field-kind" name="kind">
              <option value="machine">{t.admin.kindMachine}</option>
              <option value="web">{t.admin.kindWeb}</option>
              <option value="web_post">{t.admin.kindWebPost}</option>
              <option value="public">{t.admin.kindPublic}</option>
            </select>
          </div>
          <div class="field">
            <label for="field-id-token-alg">{t.admin.idTokenAlg}</label>
            <select id="field-id-token-alg" name="id_token_alg">
              <option value="RS256">RS256</option>
              <option value="ES256">ES256</option>
              <option value="EdDSA">EdDSA</option>
            </select>
          </div>
          <Field name="redirect_uris" label={t.admin.redirectUris} state={view.createForm} />
          <Field
            name="post_logout_redirect_uris"
            label={t.admin.postLogoutUris}
            state={view.createForm}
          />
          <div class="field">
            <label>
              <input type="checkbox" name="skip_consent" value="on" /> {t.admin.skipConsent}
            </label>
          </div>
          <button type="submit">{t.admin.createClient}</button>
        </Form>
      </section>
    </AdminLayout>
  )
}

export interface KeysView extends AdminMessages {
  keys: SigningKeyView[]
}

export function AdminKeysPage({ ctx, view }: { ctx: PageContext; view: KeysView }) {
  const { t } = ctx
  return (
    <AdminLayout ctx={ctx} tab="keys" messages={view}>
      <section class="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">{t.admin.keys}</h2>
        <Table
          label={t.admin.keys}
          columns={[
            t.admin.kid,
            t.admin.algorithm,
            t.admin.keyUse,
            t.admin.state,
            t.common.created,
          ]}
        >
          {view.keys.map((key) => (
            <tr key={key.kid} data-kid={key.kid}>
              <td class="mono">{key.kid}</td>
              <td>{key.alg}</td>
              <td>{key.use === 'id_token' ? t.admin.idTokens : t.admin.accessTokens}</td>
              <td>
                <span class="badge">{key.status}</span>
              </td>
              <td>{isoDate(key.createdAt, t.common.never)}</td>
            </tr>
          ))}
        </Table>
        <p class="muted">{t.admin.rotateIntro}</p>
        <Form
          ctx={ctx}
          action={`${ctx.root}/admin/keys/rotate`}
          class="inline"
          confirm={`${t.admin.rotate}?`}
        >
          <button type="submit">{t.admin.rotate}</button>
        </Form>
      </section>
    </AdminLayout>
  )
}
