/**
 * Optional desktop notifications for incoming calls (off by default: the
 * salesperson turns them on, which asks the browser's permission).
 */
import type { PopTarget } from './pop-up.ts';

const KEY = 'spokes.agent.notifications';

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function notificationsOn(): boolean {
  return notificationsSupported() && localStorage.getItem(KEY) === 'on' && Notification.permission === 'granted';
}

/** Turns notifications on or off; on asks for permission first. Resolves with what is in force afterwards. */
export async function setNotifications(on: boolean): Promise<{ on: boolean; denied: boolean }> {
  if (!on || !notificationsSupported()) {
    localStorage.setItem(KEY, 'off');
    return { on: false, denied: false };
  }
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  localStorage.setItem(KEY, permission === 'granted' ? 'on' : 'off');
  return { on: permission === 'granted', denied: permission === 'denied' };
}

export function showCallNotification(target: PopTarget, onClick: () => void): void {
  const what =
    target.kind === 'record'
      ? 'Click to open the HubSpot record.'
      : target.kind === 'new-contact'
        ? 'New caller: Spokes created a contact.'
        : 'Unknown caller: click to search HubSpot.';
  const n = new Notification(`Incoming call: ${target.caller}`, { body: what, tag: `spokes-call-${target.callId}` });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}
