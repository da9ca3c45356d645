/**
 * Keeps Spokes from getting its own IP blocked. A Yeastar PBX blocks an IP
 * after 5 failed authentications (pbx-apis.md §1.2; unblocking is manual, under
 * Security > Security Rules > Blocked IPs), and that counter is per IP — shared
 * by every adapter in this process. So, per PBX:
 *  - a Client ID / Client Secret pair the PBX rejected once is never sent again
 *    (an admin pressing "Connect" five times with the same typo costs one failure);
 *  - after `stopAfterRejectedLogins` different rejected pairs since the last
 *    successful login, Spokes stops signing in by itself;
 *  - an admin's explicit "Connect" may try one more pair, but never the one that
 *    would reach the PBX's block: the PBX forgets failures only on a successful
 *    login, so neither does Spokes (pressing Connect does not reset the count);
 *  - while the PBX says the IP is blocked, nothing is sent.
 */
import { createHash } from 'node:crypto';
import { AuthExpiredError } from '../../../errors.ts';
import { yeastarManifest as M } from './manifest.ts';

interface PbxLoginRecord {
  rejectedPairs: Map<string, number>;
  rejectionsSinceSuccess: number;
  blockedUntil?: number;
  /** The next login is an admin's explicit attempt (resetLoginGuard): it may go up to one short of the block. */
  adminAttempt?: boolean;
}

const records = new Map<string, PbxLoginRecord>();

function recordFor(origin: string): PbxLoginRecord {
  let r = records.get(origin);
  if (!r) {
    r = { rejectedPairs: new Map(), rejectionsSinceSuccess: 0 };
    records.set(origin, r);
  }
  return r;
}

/** A one-way key for a credential pair: the secret itself is never kept or logged. */
export function credentialKey(clientId: string, clientSecret: string): string {
  return createHash('sha256').update(clientId).update('\0').update(clientSecret).digest('hex');
}

export function wrongCredentialsError(host: string, cause?: unknown): AuthExpiredError {
  return new AuthExpiredError(
    `Client ID or Client Secret is wrong: the PBX at ${host} refused them. Copy both again from Integrations > API ` +
      'on the PBX web portal, then connect again. Spokes does not retry rejected credentials by itself, because the PBX ' +
      `blocks this server's IP address after ${M.tokens.ipBlockAfterFailedLogins} failed logins.`,
    cause,
  );
}

/** Throws, without contacting the PBX, when a login must not be tried. */
export function assertLoginAllowed(origin: string, host: string, key: string): void {
  const r = records.get(origin);
  if (!r) return;
  if (r.blockedUntil !== undefined && r.blockedUntil > Date.now()) {
    throw new AuthExpiredError(
      `The PBX at ${host} has blocked this server's IP address until ${new Date(r.blockedUntil).toISOString()} after failed logins. ` +
        'Remove the block under Security > Security Rules > Blocked IPs on the PBX, check the Client ID and Client Secret, then reconnect.',
    );
  }
  const adminAttempt = r.adminAttempt === true;
  r.adminAttempt = false;
  if (r.rejectedPairs.has(key)) throw wrongCredentialsError(host);
  // The PBX counts every failure since the last success; the one that would make it 5 is never sent.
  if (r.rejectionsSinceSuccess >= M.tokens.ipBlockAfterFailedLogins - 1) {
    throw new AuthExpiredError(
      `Spokes has stopped signing in to the PBX at ${host}: it refused ${r.rejectionsSinceSuccess} logins from this server since the last ` +
        `successful one, and one more failure would block this server's IP address (the PBX blocks after ${M.tokens.ipBlockAfterFailedLogins}). ` +
        'Check the Client ID and Client Secret under Integrations > API on the PBX, then restart Spokes to try again.',
    );
  }
  if (!adminAttempt && r.rejectionsSinceSuccess >= M.tokens.stopAfterRejectedLogins) {
    throw new AuthExpiredError(
      `Spokes has stopped signing in to the PBX at ${host}: it refused ${r.rejectionsSinceSuccess} different Client ID/Client Secret ` +
        `pairs, and it blocks this server's IP address after ${M.tokens.ipBlockAfterFailedLogins}. Check both values under ` +
        'Integrations > API on the PBX, then reconnect the PBX in Spokes to allow new attempts.',
    );
  }
}

export function recordRejectedLogin(origin: string, key: string): void {
  const r = recordFor(origin);
  r.rejectedPairs.set(key, Date.now());
  r.rejectionsSinceSuccess += 1;
}

export function recordSuccessfulLogin(origin: string): void {
  const r = records.get(origin);
  if (!r) return;
  r.rejectionsSinceSuccess = 0;
  r.blockedUntil = undefined;
}

/** `untilMs` from the PBX's block_expire_time, or a conservative guess when it gave none. */
export function recordIpBlocked(origin: string, untilMs: number | undefined): void {
  recordFor(origin).blockedUntil = untilMs ?? Date.now() + 30 * 60_000;
}

/**
 * An admin's explicit "reconnect": the next login may be tried although Spokes
 * stopped signing in by itself (and although the PBX said the IP was blocked:
 * the admin may have removed the block). The pairs already rejected stay
 * refused, and the failures the PBX counts are not forgotten: however often
 * Connect is pressed, Spokes stops one failure short of the PBX's IP block.
 */
export function resetLoginGuard(origin: string): void {
  const r = records.get(origin);
  if (!r) return;
  r.adminAttempt = true;
  r.blockedUntil = undefined;
}

/** Tests only: forget everything about one PBX. */
export function forgetLoginHistory(origin: string): void {
  records.delete(origin);
}
