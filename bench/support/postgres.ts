/** The PostgreSQL server every PostgreSQL benchmark uses. */
export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
