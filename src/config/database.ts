/** Whether a `--database` / `DATABASE_URL` value names a PostgreSQL server (else a SQLite path). */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database)
}
