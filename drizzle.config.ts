import { defineConfig } from 'drizzle-kit';

// Every schema file; `npm run db:generate` writes a new SQL migration into src/db/migrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/db/schema.ts',
    './src/hubspot/schema.ts',
    './src/web/admin/schema.ts',
    './src/connectors/telephony/schema.ts',
    './src/connections/schema.ts',
    './src/sync/schema.ts',
    './src/sync/engine/schema.ts',
    './src/oauth/schema.ts',
    './src/connectors/booking/schema.ts',
  ],
  out: './src/db/migrations',
});
