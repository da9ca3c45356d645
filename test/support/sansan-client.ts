/**
 * Plain-fetch helpers for the Sansan emulator's tests: the Open API as a client
 * calls it (X-Sansan-Api-Key, query strings) and the /sandbox controls.
 */
import type { SansanSandbox } from '../../sandbox/sansan/index.ts';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (an HTML gateway page)
  }
  return { status: res.status, body, headers: res.headers };
}

/** GET <apiBaseUrl><path>?<query> with the key; arrays become repeated parameters. */
export async function api(
  sb: SansanSandbox,
  key: string | undefined,
  path: string,
  query: Record<string, string | number | boolean | string[] | undefined> = {},
): Promise<Answer> {
  const url = new URL(`${sb.info().apiBaseUrl}${path}`);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
  }
  return answer(await fetch(url, { headers: key === undefined ? {} : { 'X-Sansan-Api-Key': key } }));
}

export async function apiPost(sb: SansanSandbox, key: string, path: string, body: unknown): Promise<Answer> {
  return answer(
    await fetch(`${sb.info().apiBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'X-Sansan-Api-Key': key, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export async function control(sb: SansanSandbox, method: string, path: string, body?: unknown): Promise<Answer> {
  return answer(
    await fetch(`${sb.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** Every page of a card listing, following nextPageToken (sent alone, as the token carries the query). */
export async function allPages(
  sb: SansanSandbox,
  key: string,
  path: string,
  query: Record<string, string | number | boolean | string[] | undefined>,
): Promise<{ cards: any[]; pages: number }> {
  const cards: any[] = [];
  let pages = 0;
  let res = await api(sb, key, path, query);
  for (;;) {
    if (res.status !== 200) throw new Error(`${path} answered ${res.status} ${JSON.stringify(res.body)}`);
    pages++;
    cards.push(...res.body.data);
    if (!res.body.hasMore) return { cards, pages };
    res = await api(sb, key, path, { nextPageToken: res.body.nextPageToken, limit: query.limit });
  }
}

/** A wide `updatedFrom`/`updatedTo` window, written with the +09:00 offset a Japanese client would use. */
export const ALL_TIME = { updatedFrom: '2000-01-01T00:00:00+09:00', updatedTo: '2100-01-01T00:00:00+09:00' };
