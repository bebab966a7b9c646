/** What other capabilities may use of accounts; everything else is its own. */
export { changePassword } from './auth/change-password.js'
export {
  DEMO_USERS,
  changeUserEmail,
  createUser,
  ensureDemoUsers,
  getMe,
  register,
  setUserEmail,
  setUserRoles,
  type CreateUserInput,
  type PublicUser,
} from './auth/users.js'
