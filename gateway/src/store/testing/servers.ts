// Test-only: the PostgreSQL and Redis servers tests run against. `npm test` starts one of
// each (scripts/test-services.mjs) and passes their URLs in AGENTGW_TEST_DATABASE_URL and
// AGENTGW_TEST_REDIS_URL; a test file run on its own starts its own and stops it on exit.
// Tests that stop or restart a server (fault tests) start their own with startPostgres/startRedis.
export { freshDatabaseUrl, testRedisUrl } from "../../../../scripts/test-services.mjs";
