/**
 * localStorage that never throws. Inside HubSpot the widget is a third-party
 * frame, and a browser that blocks third-party storage (incognito windows,
 * "block third-party cookies") refuses it with a SecurityError. The widget then
 * still works — it signs in again with its key on every load — but nothing
 * survives a reload.
 */
export const safeStorage = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Blocked or full: this load only.
    }
  },
  remove(key: string): void {
    try {
      localStorage.removeItem(key);
    } catch {
      // Blocked: there is nothing stored either.
    }
  },
};
