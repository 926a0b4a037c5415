// Where a digest webhook may point: an http(s) URL whose host resolves only to public addresses.
// A reader could otherwise make the server post to itself or its private network (an admin page on
// 127.0.0.1, the cloud's metadata service on 169.254.169.254, a database on 10.0.0.5). Checked when
// the address is saved, and again when the digest is sent, on the addresses the connection is about
// to use (lib/digest/webhook.ts passes `guardedLookup` to node:http), so a name that resolved to a
// public address at save time and to 127.0.0.1 later (DNS rebinding) is still refused.
// WEBHOOK_ALLOW_PRIVATE=true (an administrator's choice, e.g. a chat server on the LAN) turns it off.
import { lookup as dnsLookup } from "node:dns";
import { lookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/** Longest webhook address accepted. */
export const WEBHOOK_URL_MAX = 2_000;

// Only ordinary unicast addresses are public: ipaddr.js's range() names everything else (loopback,
// RFC 1918 "private", carrier-grade NAT 100.64/10, link-local 169.254/16 and fe80::/10, unique-local
// fc00::/7, unspecified, multicast, broadcast, and "reserved": 192.0.0/24, benchmarking 198.18/15, the
// documentation ranges, 240/4, 2001:db8::/32…), so an allow-list of one name covers ranges we would
// forget to list. Addresses that carry an IPv4 address inside are judged by that address (see below).
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");
const NAT64 = ipaddr.IPv6.parseCIDR("64:ff9b::/96");
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR("2002::/16");

const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

/**
 * The IPv4 address an IPv6 address reaches, when it embeds one: IPv4-mapped (::ffff:a.b.c.d, what
 * dual-stack sockets use), the well-known NAT64 prefix (64:ff9b::a.b.c.d: a DNS64 resolver's answer
 * for an IPv4-only host, which the gateway turns into that IPv4 address) and 6to4 (2002:AABB:CCDD::,
 * tunnelled to AA.BB.CC.DD). Null otherwise.
 */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  if (ip.isIPv4MappedAddress() || ip.match(NAT64)) return v4(p[6]!, p[7]!);
  if (ip.match(SIX_TO_FOUR)) return v4(p[1]!, p[2]!);
  return null;
}

/**
 * An IPv6 literal as ipaddr.js reads it, from its canonical form (WHATWG URL's serialiser writes the
 * last 32 bits in hex): ipaddr.js takes any "::a.b.c.d" for IPv4-mapped, so "::8.8.8.8" (IPv4-compatible,
 * ::808:808) would pass for ::ffff:8.8.8.8. A zone (fe80::1%eth0) is dropped: the address decides.
 */
function parseIPv6(address: string): ipaddr.IPv6 {
  const bare = address.split("%")[0]!;
  return ipaddr.IPv6.parse(new URL(`http://[${bare}]`).hostname.slice(1, -1));
}

/**
 * Whether `address` (an IP literal) is anything but an ordinary public unicast address: private,
 * loopback, link-local, unique-local, carrier-grade NAT, unspecified, multicast, reserved, or an IPv6
 * address leading to such an IPv4 address. Not an address at all counts as private (never connected to).
 */
export function isPrivateAddress(address: string): boolean {
  // node:net's check first: ipaddr.js also reads "127.1" or "0x7f000001", which a lookup never returns.
  if (isIP(address) === 0) return true;
  if (isIP(address) === 4) return ipaddr.IPv4.parse(address).range() !== "unicast";
  const v6 = parseIPv6(address);
  const inner = embeddedIPv4(v6);
  if (inner) return inner.range() !== "unicast";
  // IPv4-compatible addresses (::a.b.c.d, deprecated; :: and ::1 among them) have no public use.
  if (v6.match(IPV4_COMPATIBLE)) return true;
  // What else ipaddr.js names is private or special too: NAT64's local-use 64:ff9b:1::/48, Teredo, …
  return v6.range() !== "unicast";
}

/** A webhook address refused: not http(s), unreadable, or reaching a private address. `message` is for the reader. */
export class WebhookAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookAddressError";
  }
}

const privateMessage = (host: string, address: string) =>
  `${host} is on a private network (${address}): digests are not sent to this server's own or private addresses. ` +
  "An administrator can allow them with WEBHOOK_ALLOW_PRIVATE=true.";

/** The URL when it is an http(s) URL without credentials; throws WebhookAddressError otherwise. */
export function parseWebhookUrl(text: string): URL {
  if (text.length > WEBHOOK_URL_MAX) throw new WebhookAddressError(`The webhook address is longer than ${WEBHOOK_URL_MAX} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookAddressError("That is not a web address. It starts with https:// (or http://).");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WebhookAddressError(`A webhook address starts with https:// or http://, not ${url.protocol}//.`);
  }
  if (url.username || url.password) throw new WebhookAddressError("A webhook address cannot hold a user name or password.");
  return url;
}

/** The host of a URL without IPv6 brackets, as dns.lookup and isIP take it. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Checks a webhook address: http(s), and (unless `allowPrivate`) a host whose every resolved address
 * is public. Throws WebhookAddressError with a message for the reader; returns the URL.
 */
export async function checkWebhookUrl(text: string, options: { allowPrivate: boolean }): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (options.allowPrivate) return url;
  const host = bareHost(url);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new WebhookAddressError(privateMessage(url.hostname, host));
    return url;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new WebhookAddressError(`The host ${url.hostname} could not be found (DNS).`);
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new WebhookAddressError(privateMessage(url.hostname, bad.address));
  return url;
}

/**
 * A `lookup` for node:http/net that resolves as usual and fails the connection when any address is
 * private: the check is made on the very addresses the socket will connect to. (node:net does not
 * call it for a literal IP: `checkWebhookUrl` covers those.)
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as { address: string; family: number }[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new WebhookAddressError(privateMessage(hostname, bad.address)), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
    callback(null, first.address, first.family);
  });
};
