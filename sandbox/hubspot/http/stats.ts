/**
 * Request accounting (`GET /sandbox/stats`): calls per portal and per app, by route
 * and status, plus 429s issued. Benchmarks count API calls with it.
 */
export interface RouteCounts {
  requests: number;
  rateLimited: number;
  byRoute: Record<string, Record<string, number>>;
}

export interface StatsSnapshot extends RouteCounts {
  byPortal: Record<string, RouteCounts & { byApp: Record<string, RouteCounts> }>;
  unauthenticated: RouteCounts;
  faults: { rateLimit: number; serverError: number; dropped: number; delayed: number };
  webhooks: { delivered: number; failedAttempts: number; pending: number };
}

function empty(): RouteCounts {
  return { requests: 0, rateLimited: 0, byRoute: {} };
}

function count(target: RouteCounts, route: string, status: number): void {
  target.requests++;
  if (status === 429) target.rateLimited++;
  const byStatus = (target.byRoute[route] ??= {});
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
}

export class Stats {
  private totals = empty();
  private portals: StatsSnapshot['byPortal'] = {};
  private unauthenticated = empty();

  record(route: string, status: number, portalId: number | undefined, appKey: string | undefined): void {
    count(this.totals, route, status);
    if (portalId === undefined) {
      count(this.unauthenticated, route, status);
      return;
    }
    const portal = (this.portals[String(portalId)] ??= { ...empty(), byApp: {} });
    count(portal, route, status);
    if (appKey) count((portal.byApp[appKey] ??= empty()), route, status);
  }

  snapshot(extra: Pick<StatsSnapshot, 'faults' | 'webhooks'>): StatsSnapshot {
    return structuredClone({ ...this.totals, byPortal: this.portals, unauthenticated: this.unauthenticated, ...extra });
  }

  reset(): void {
    this.totals = empty();
    this.portals = {};
    this.unauthenticated = empty();
  }
}
