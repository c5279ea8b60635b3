/** Whether better-sqlite3 refused a row because its primary key is taken (every unique key we rely on is one). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
