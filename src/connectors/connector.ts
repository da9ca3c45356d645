/**
 * The shape every connector exports from `src/connectors/<slug>/index.ts`:
 * one object with its manifest, its job types, its routes and its lifecycle.
 * Nothing outside a connector's folder imports its internals.
 */
import type { FastifyInstance } from 'fastify';
import type { JobDefinition } from '../jobs/job.ts';
import type { Services } from '../services.ts';
import type { Sandboxes } from '../sandbox/sandboxes.ts';

export interface ConnectorManifest {
  /** URL-safe identifier, also the folder name (`telephony`, `sansan`…). */
  slug: string;
  /** Shown in the admin UI. */
  name: string;
  /** Feature ids of SPEC.md this connector implements (T3, T8…). */
  features: string[];
}

/** One connection as `spokes status` shows it. */
export interface ConnectionHealth {
  name: string;
  /** In a few words: connected, not connected, disabled, reconnecting… */
  state: string;
  /** False when it needs attention (calls or records do not flow). */
  ok: boolean;
  detail?: string;
}

export interface Connector {
  manifest: ConnectorManifest;
  /** Job types this connector runs; the worker registry lists them. */
  jobs(services: Services): JobDefinition[];
  /**
   * Registers the connector's HTTP routes: admin API under `/api/<slug>/…` (signed-in admins),
   * webhooks under `/webhooks/<slug>/…` (verified by signature, not by session).
   */
  routes(app: FastifyInstance, services: Services): Promise<void> | void;
  /** Called once per process after the database and queue are up (start listeners, schedules). */
  start?(services: Services, role: { server: boolean; worker: boolean }): Promise<void>;
  /**
   * Sandbox mode: configure yourself against the emulators (connect, bind, enable), so that a
   * newcomer's `npm start` comes up ready to use. Called by the serving process after HubSpot is connected.
   */
  sandbox?(services: Services, sandboxes: Sandboxes): Promise<void>;
  /** The connection's health for `spokes status`, read from the database (any process may ask); null when not set up. */
  health?(services: Services): Promise<ConnectionHealth | null>;
  /** Called on shutdown, before the queue stops. */
  stop?(services: Services): Promise<void>;
}
