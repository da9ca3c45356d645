import { randomBytes, randomInt } from 'node:crypto';

/**
 * Meeting locations, in Cal.com's own values (stored on the booking and sent as `location`):
 * a conferencing app is `integrations:<app>` and its join link goes to `metadata.videoCallUrl`
 * (Cal.com docs, "Webhooks": metadata "Contains metadata of the booking, including the meeting
 * URL (videoCallUrl)"). Anything else is an address, a phone number or a link, sent as typed.
 */
export interface VideoCallData {
  type: string;
  id: string;
  password: string;
  url: string;
}

export interface ResolvedLocation {
  location: string;
  videoCallUrl: string | null;
  videoCallData: VideoCallData | null;
}

const letters = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('');

/**
 * The conferencing apps the emulators know, with the join links the sandbox makes up for them.
 * Cal Video (`integrations:daily`) answers `<app URL>/video/<booking uid>` as Cal.com does
 * (getPublicVideoCallUrl: `${WEBAPP_URL}/video/${uid}`); the others are shaped like the vendor's.
 */
const APPS: Record<string, { type: string; name: string; url: (baseUrl: string, uid: string, id: string, pwd: string) => string }> = {
  'integrations:daily': { type: 'daily_video', name: 'Cal Video', url: (base, uid) => `${base}/video/${uid}` },
  'integrations:zoom': { type: 'zoom_video', name: 'Zoom', url: (_b, _u, id, pwd) => `https://zoom.us/j/${id}?pwd=${pwd}` },
  'integrations:google:meet': { type: 'google_video', name: 'Google Meet', url: () => `https://meet.google.com/${letters(3)}-${letters(4)}-${letters(3)}` },
  'integrations:office365_video': {
    type: 'office365_video',
    name: 'Microsoft Teams',
    url: (_b, _u, id) => `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${id}%40thread.v2/0`,
  },
};

export const isConferencingApp = (location: string) => location in APPS;
export const conferencingAppName = (location: string) => APPS[location]?.name;

export function resolveLocation(location: string, baseUrl: string, uid: string, videoCallUrl?: string): ResolvedLocation {
  const app = APPS[location];
  if (!app) return { location, videoCallUrl: videoCallUrl ?? null, videoCallData: null };
  const id =
    location === 'integrations:daily' ? randomBytes(10).toString('base64url') : String(randomInt(10_000_000, 99_999_999)) + String(randomInt(100, 999));
  const password = randomBytes(12).toString('base64url');
  const url = videoCallUrl ?? app.url(baseUrl, uid, id, password);
  return { location, videoCallUrl: url, videoCallData: { type: app.type, id, password, url } };
}

/** How a location value reads as a kind: conferencing app, link, phone or address. */
export function locationKind(location: string): 'integration' | 'link' | 'phone' | 'address' {
  if (location.startsWith('integrations:')) return 'integration';
  if (/^https?:\/\//.test(location)) return 'link';
  if (/^\+?[\d\s()-]{6,}$/.test(location)) return 'phone';
  return 'address';
}
