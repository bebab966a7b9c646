/**
 * Human texts clients see in `msg`. The seed's texts (Flask-JWT-Extended's and the
 * tutorial's) are part of the contract and matched exactly by tests.
 */
export const SEED_MESSAGES = {
  registered: 'User registered successfully',
  usernameTaken: 'Username already exists',
  badCredentials: 'Bad username or password',
  missingAuthorization: 'Missing Authorization Header',
  tokenExpired: 'Token has expired',
  tokenRevoked: 'Token has been revoked',
  adminsOnly: 'Admins only!',
} as const
