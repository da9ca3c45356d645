import { createHash } from 'node:crypto';

// RFC 4122 name-based UUID (v5, SHA-1) under a fixed Spokes namespace: the same
// job name and idempotency key always give the same pg-boss job id, so a second
// enqueue of the same work is refused by the job table's primary key.
const NAMESPACE = Buffer.from('6f1c7a52a8d94a0e9b7e3c1d2f4a5b60', 'hex');

export function jobIdFor(jobName: string, idempotencyKey: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${jobName}\u0000${idempotencyKey}`).digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
