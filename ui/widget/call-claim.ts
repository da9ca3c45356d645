/**
 * One HubSpot tab per call: every open record page runs its own widget (SDK
 * issue #256), and each sees the same ringing call. A Web Lock named after the
 * call decides which one announces it to HubSpot (`incomingCall` creates an
 * engagement: two tabs would log it twice). The lock is held until the call is
 * saved or the tab goes away.
 */
export async function claimCall(callId: string): Promise<(() => void) | null> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  // No Web Locks (very old browsers): this tab takes every call.
  if (!locks) return () => {};
  return new Promise((resolve) => {
    locks
      .request(`spokes-widget-call:${callId}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(() => resolve(() => {}));
  });
}
