/**
 * What other capabilities may use of email: nothing. They record events; email reacts
 * (auth/reactions.ts) and contributes its sign-in gate through its manifest.
 */
export {}
