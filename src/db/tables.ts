/** Every table Spokes owns, for Drizzle's typed queries. */
export * from './schema.ts';
export * from '../hubspot/schema.ts';
export * from '../web/admin/schema.ts';
export * from '../connectors/telephony/schema.ts';
export * from '../connections/schema.ts';
export * from '../sync/schema.ts';
export * from '../oauth/schema.ts';
export * from '../connectors/booking/schema.ts';
