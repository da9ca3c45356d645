/**
 * Which network addresses Spokes may connect to for a remote system that an
 * admin names by address (the PBX): the guard against server-side request
 * forgery through that address. A policy is a list of ranges by name
 * (`public`, `private`, `loopback`, `link-local`) and of CIDR blocks or single
 * addresses, e.g. `public,private` or `10.20.0.0/16`.
 *
 * The check applies to the address a connection is actually made to: the
 * policy's `lookup` replaces the DNS look-up of `net.connect` (and so of
 * `http.request`, `https.request` and `ws`), resolves once, refuses what the
 * policy does not allow and hands the socket only the addresses it checked, so
 * a name that resolves elsewhere between a check and the connection (DNS
 * rebinding) gets nowhere. Literal addresses skip DNS: `assertUrl` checks those.
 * Every textual form is reduced to one address first: WHATWG URL parsing turns
 * `2130706433`, `0177.0.0.1` and `0x7f.1` into `127.0.0.1`, and IPv6 forms that
 * carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that IPv4 address.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/** The named ranges a policy may allow. */
export const NAMED_RANGES = ['public', 'private', 'loopback', 'link-local'] as const;
export type NamedRange = (typeof NAMED_RANGES)[number];
/** Never a remote system's address, whatever the policy says: 0.0.0.0 and :: reach this machine, multicast no one. */
type NeverRange = 'unspecified' | 'multicast';
export type AddressRange = NamedRange | NeverRange | 'reserved';

interface Ip {
  family: 4 | 6;
  bytes: Uint8Array;
}

interface Block {
  family: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string): Uint8Array | null {
  let s = text
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  // A trailing dotted IPv4 address fills the last 32 bits.
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = parseIpv4(v4[2]!);
    if (!b) return null;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (![...head, ...rest].every((w) => /^[0-9a-f]{1,4}$/.test(w))) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const words = [...head.map((w) => parseInt(w, 16)), ...Array<number>(8 - given).fill(0), ...rest.map((w) => parseInt(w, 16)), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** The address, with an IPv4 address carried inside an IPv6 one taken out. */
export function parseIp(text: string): Ip | null {
  const bare = text.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) {
    const bytes = parseIpv4(bare);
    return bytes ? { family: 4, bytes } : null;
  }
  if (family !== 6) return null;
  const b = parseIpv6(bare);
  if (!b) return null;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, not :: or ::1), 64:ff9b::a.b.c.d (NAT64).
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return { family: 4, bytes: b.slice(12) };
  if (zero(0, 12) && !zero(12, 15)) return { family: 4, bytes: b.slice(12) };
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return { family: 4, bytes: b.slice(12) };
  if (b[0] === 0x20 && b[1] === 0x02) return { family: 4, bytes: b.slice(2, 6) };
  return { family: 6, bytes: b };
}

function parseBlock(text: string): Block | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || !addr) return null;
  const bare = addr.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  const bytes = family === 4 ? parseIpv4(bare) : family === 6 ? parseIpv6(bare) : null;
  if (!bytes) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  // An IPv4-mapped block (::ffff:10.0.0.0/104) is its IPv4 block.
  if (family === 6 && bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff && prefix >= 96) {
    return { family: 4, bytes: bytes.slice(12), prefix: prefix - 96 };
  }
  return { family: family as 4 | 6, bytes, prefix };
}

function inBlock(ip: Ip, block: Block): boolean {
  if (ip.family !== block.family) return false;
  for (let bit = 0; bit < block.prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((ip.bytes[i]! & mask) !== (block.bytes[i]! & mask)) return false;
  }
  return true;
}

const blocks = (list: string[]) => list.map((b) => parseBlock(b)!);
/** IANA special-purpose registries (RFC 6890 and successors), grouped the way an admin thinks of them. */
const SPECIAL: [AddressRange, Block[]][] = [
  ['unspecified', blocks(['0.0.0.0/8', '::/128'])],
  ['loopback', blocks(['127.0.0.0/8', '::1/128'])],
  ['link-local', blocks(['169.254.0.0/16', 'fe80::/10'])],
  // RFC 1918, shared address space (RFC 6598, carrier-grade NAT), unique local (RFC 4193) and the old site-local.
  ['private', blocks(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fec0::/10'])],
  ['multicast', blocks(['224.0.0.0/4', 'ff00::/8'])],
  // Protocol assignments, documentation, benchmarking, future use and broadcast, discard-only, other ::/8.
  [
    'reserved',
    blocks(['192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '2001:db8::/32', '100::/64', '::/8']),
  ],
];

/** Which range an address is in; null when it is not an IP address. */
export function rangeOf(address: string): AddressRange | null {
  const ip = parseIp(address);
  if (!ip) return null;
  for (const [range, list] of SPECIAL) if (list.some((b) => inBlock(ip, b))) return range;
  return 'public';
}

/** Spokes refused to connect to an address its policy does not allow. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  readonly host: string;
  readonly address: string;
  readonly range: AddressRange;
  constructor(host: string, address: string, range: AddressRange, allowed: string) {
    const where = host === address ? `${address} is` : `${host} resolves to ${address},`;
    super(`${where} ${/^[aeiou]/.test(range) ? 'an' : 'a'} ${range} address, outside the allowed addresses (${allowed})`);
    this.name = 'AddressRefusedError';
    this.host = host;
    this.address = address;
    this.range = range;
  }
}

/** The error behind an error (a socket's, a fetch's), if it is a refusal. */
export function refusalOf(err: unknown): AddressRefusedError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof AddressRefusedError) return e;
  return undefined;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface AddressPolicyOptions {
  /** Name resolution (tests); default `dns.lookup` with `all: true`, as Node resolves for a connection. */
  resolve?: (hostname: string, family: number) => Promise<ResolvedAddress[]>;
}

export class AddressPolicy {
  /** The policy as written, e.g. `public,private`: names it in messages and keys shared resources. */
  readonly spec: string;
  readonly #ranges: Set<NamedRange>;
  readonly #blocks: Block[];
  readonly #resolve: (hostname: string, family: number) => Promise<ResolvedAddress[]>;

  /** @throws Error naming the first entry that is neither a range name nor an address or CIDR block. */
  constructor(spec: string, opts: AddressPolicyOptions = {}) {
    const entries = spec
      .split(/[\s,]+/)
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);
    if (!entries.length) throw new Error('lists no address range');
    this.#ranges = new Set();
    this.#blocks = [];
    for (const entry of entries) {
      if ((NAMED_RANGES as readonly string[]).includes(entry)) this.#ranges.add(entry as NamedRange);
      else {
        const block = parseBlock(entry);
        if (!block) throw new Error(`"${entry}" is neither ${NAMED_RANGES.join(', ')} nor an address or CIDR block`);
        this.#blocks.push(block);
      }
    }
    this.spec = entries.join(',');
    this.#resolve = opts.resolve ?? (async (hostname, family) => dnsLookup(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 }));
  }

  /** Whether a connection to this address is allowed (false for anything that is not an IP address). */
  allows(address: string): boolean {
    const range = rangeOf(address);
    if (range === null || range === 'unspecified' || range === 'multicast') return false;
    if (range !== 'reserved' && this.#ranges.has(range)) return true;
    const ip = parseIp(address)!;
    return this.#blocks.some((b) => inBlock(ip, b));
  }

  #refusal(host: string, address: string): AddressRefusedError {
    return new AddressRefusedError(host, address, rangeOf(address) ?? 'reserved', this.spec);
  }

  /** Throws AddressRefusedError when the URL's host is an address the policy does not allow (names are checked on connect). */
  assertUrl(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !this.allows(host)) throw this.#refusal(host, host);
  }

  /** Resolves a name to the addresses the policy allows; throws AddressRefusedError when there are none. */
  async resolve(hostname: string, family = 0): Promise<ResolvedAddress[]> {
    if (isIP(hostname)) {
      if (!this.allows(hostname)) throw this.#refusal(hostname, hostname);
      return [{ address: hostname, family: isIP(hostname) }];
    }
    const found = await this.#resolve(hostname, family);
    const allowed = found.filter((a) => this.allows(a.address));
    if (!allowed.length) throw this.#refusal(hostname, found[0]?.address ?? hostname);
    return allowed;
  }

  /**
   * A drop-in `lookup` for `net.connect` / `http.request` / `ws`: the socket connects only to addresses
   * this policy checked, in the same step (both call shapes: one address, or `all` for Happy Eyeballs).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const opts = typeof options === 'number' ? { family: options } : (options ?? {});
    const family = typeof opts.family === 'number' ? opts.family : opts.family === 'IPv6' ? 6 : opts.family === 'IPv4' ? 4 : 0;
    this.resolve(hostname, family).then(
      (addresses) => {
        if (opts.all) (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
