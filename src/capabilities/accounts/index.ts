/** What other capabilities may use of accounts; everything else is its own. */
export {
  changeUserEmail,
  createUser,
  setUserEmail,
  setUserRoles,
  type CreateUserInput,
} from './auth/users.js'
