/** What other capabilities may use of accounts; everything else is its own. */
export { changeUserEmail, createUser, type CreateUserInput } from './auth/users.js'
