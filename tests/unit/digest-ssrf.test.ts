// Which addresses a digest webhook may not reach (lib/digest/ssrf.ts), the unsubscribe token's
// round trip and its refusals (lib/digest/token.ts), and the lookup that checks the addresses a
// connection is about to use.
import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { guardedLookup, isPrivateAddress, parseWebhookUrl, WebhookAddressError } from "../../lib/digest/ssrf";
import { readUnsubscribeToken, unsubscribeToken } from "../../lib/digest/token";

test("private, loopback, link-local, unique-local, unspecified and mapped addresses are private; public ones are not", () => {
  const private_ = ["127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "::", "fd12:3456::1", "fc00::1", "fe80::1", "fe80::1%eth0", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:7f00:1", "not-an-ip", "127.1", "0x7f000001"];
  const public_ = ["8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "93.184.215.14", "100.128.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"];
  for (const a of private_) expect(isPrivateAddress(a), a).toBe(true);
  for (const a of public_) expect(isPrivateAddress(a), a).toBe(false);
});

test("special-purpose IPv4 ranges are refused: IETF protocol assignments, benchmarking, carrier-grade NAT, documentation, reserved", () => {
  const special = ["192.0.0.1", "192.0.0.255", "198.18.0.1", "198.19.255.254", "100.64.0.1", "100.127.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.10", "240.0.0.1", "255.255.255.255"];
  for (const a of special) expect(isPrivateAddress(a), a).toBe(true);
  // Their neighbours are ordinary addresses.
  for (const a of ["192.0.1.255", "198.17.255.255", "198.20.0.1", "100.63.255.255", "100.128.0.0"]) expect(isPrivateAddress(a), a).toBe(false);
});

test("IPv6 addresses that lead to an IPv4 address are judged by it: NAT64, 6to4; IPv4-compatible and other special IPv6 ranges are refused", () => {
  // NAT64 (64:ff9b::/96): a DNS64 resolver's answer for an IPv4-only host; the gateway connects to the last 32 bits.
  for (const a of ["64:ff9b::7f00:1", "64:ff9b::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c612:1"]) expect(isPrivateAddress(a), a).toBe(true);
  expect(isPrivateAddress("64:ff9b::808:808")).toBe(false);
  expect(isPrivateAddress("64:ff9b::8.8.8.8")).toBe(false);
  // 6to4 (2002::/16): bits 16–48 are the IPv4 tunnel end.
  for (const a of ["2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "2002:a9fe:a9fe::1"]) expect(isPrivateAddress(a), a).toBe(true);
  expect(isPrivateAddress("2002:808:808::1")).toBe(false);
  // IPv4-compatible (::/96, deprecated), whatever the IPv4 address: written dotted or in hex.
  for (const a of ["::127.0.0.1", "::7f00:1", "::8.8.8.8", "::808:808", "::a00:1"]) expect(isPrivateAddress(a), a).toBe(true);
  // NAT64 local use, Teredo, documentation, discard, site-local, multicast.
  for (const a of ["64:ff9b:1::808:808", "2001::1", "2001:db8::1", "100::1", "fec0::1", "ff02::1"]) expect(isPrivateAddress(a), a).toBe(true);
});

test("a webhook address is http(s) without credentials", () => {
  expect(parseWebhookUrl("https://hooks.example.org/x").host).toBe("hooks.example.org");
  for (const bad of ["javascript:alert(1)", "file:///etc/passwd", "gopher://x/", "https://user:pw@example.org/", "not a url", `https://e.org/${"a".repeat(2_100)}`]) {
    expect(() => parseWebhookUrl(bad), bad).toThrow(WebhookAddressError);
  }
});

test("the connection's own lookup refuses a name that resolves to loopback", async () => {
  const error = await new Promise<Error | null>((resolve) => guardedLookup("localhost", { all: true }, (e) => resolve(e)));
  expect(error).toBeInstanceOf(WebhookAddressError);
  expect(error!.message).toContain("private network");
});

test("unsubscribe tokens name their topic and channel, and any change makes them invalid", () => {
  const topic = randomUUID();
  const token = unsubscribeToken(topic, "email");
  expect(readUnsubscribeToken(token)).toEqual({ topicId: topic, channel: "email" });
  expect(readUnsubscribeToken(unsubscribeToken(topic, "webhook"))).toEqual({ topicId: topic, channel: "webhook" });
  const other = randomUUID();
  for (const bad of [
    token.replace(".email.", ".webhook."),
    token.replace(topic, other),
    `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
    token.slice(0, -3),
    `${token}x`,
    "",
    null,
    "<script>",
  ]) {
    expect(readUnsubscribeToken(bad), String(bad)).toBeNull();
  }
});
