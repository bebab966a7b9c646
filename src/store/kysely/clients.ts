import type { Kysely, Selectable } from 'kysely'
import type {
  GrantType,
  IdTokenAlgorithm,
  OAuthClientRecord,
  OAuthClientStore,
  TokenEndpointAuthMethod,
} from '../store.js'
import type { Database } from './database.js'
import { newestFirst, toNumber } from './rows.js'
import { parseStringArray } from './users.js'

export function createOAuthClientStore(db: Kysely<Database>): OAuthClientStore {
  return {
    async insert(client) {
      await db
        .insertInto('oauth_clients')
        .values({
          id: client.id,
          name: client.name,
          // A public client has no secret; '' is no SHA-256 hex digest, so nothing matches it.
          secret_hash: client.secretHash ?? '',
          scopes: JSON.stringify(client.scopes),
          created_at: client.createdAt,
          introspect: client.introspect ? 1 : 0,
          redirect_uris: JSON.stringify(client.redirectUris),
          post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
          grant_types: JSON.stringify(client.grantTypes),
          token_endpoint_auth_method: client.tokenEndpointAuthMethod,
          skip_consent: client.skipConsent ? 1 : 0,
          id_token_alg: client.idTokenAlg,
        })
        .execute()
    },
    async findById(id) {
      const row = await db
        .selectFrom('oauth_clients')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toClientRecord(row)
    },
    async list(page) {
      const query = db.selectFrom('oauth_clients').selectAll()
      const rows = await query.$call(newestFirst('created_at', page)).execute()
      return rows.map(toClientRecord)
    },
    async delete(id) {
      const result = await db.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
  }
}

function toClientRecord(row: Selectable<Database['oauth_clients']>): OAuthClientRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash === '' ? null : row.secret_hash,
    scopes: parseStringArray(row.scopes),
    createdAt: toNumber(row.created_at),
    introspect: Number(row.introspect) === 1,
    redirectUris: parseStringArray(row.redirect_uris),
    postLogoutRedirectUris: parseStringArray(row.post_logout_redirect_uris),
    grantTypes: parseStringArray(row.grant_types) as GrantType[],
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    skipConsent: Number(row.skip_consent) === 1,
    idTokenAlg: row.id_token_alg as IdTokenAlgorithm,
  }
}
