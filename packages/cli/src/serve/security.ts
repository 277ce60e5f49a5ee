// The gate every request passes before any page is built: the Host header must name this server
// (a DNS-rebinding page cannot talk to it), the method must be GET/HEAD, and the request must
// carry the session token (query `token`, `Authorization: Bearer`, or the cookie set when the
// printed URL is first opened). Every response, errors included, carries the same headers.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** CSP: only files this server serves; no inline script or style, no framing, no plugins. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** Host header values this server answers to: its loopback names (and an explicitly bound host). */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(["127.0.0.1", "localhost", "[::1]"]);
  names.add(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);
  const out = new Set<string>();
  for (const n of names) out.add(`${n}:${port}`);
  return out;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type GateResult =
  | { ok: true; via: "query" | "header" | "cookie" }
  | { ok: false; status: 401 | 405 | 421; message: string };

export function gate(
  req: IncomingMessage,
  url: URL,
  token: string,
  hosts: Set<string>,
  cookie: string,
): GateResult {
  const host = req.headers.host;
  if (host === undefined || !hosts.has(host.toLowerCase())) {
    return {
      ok: false,
      status: 421,
      message: "this server only answers requests addressed to it (Host header)",
    };
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    return { ok: false, status: 405, message: "read-only: only GET and HEAD are allowed" };
  }
  const q = url.searchParams.get("token");
  if (q !== null && sameToken(q, token)) return { ok: true, via: "query" };
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ") && sameToken(auth.slice(7).trim(), token))
    return { ok: true, via: "header" };
  const c = cookieValue(req, cookie);
  if (c !== undefined && sameToken(c, token)) return { ok: true, via: "cookie" };
  return {
    ok: false,
    status: 401,
    message: "a token is required: open the URL 'weft audit serve' printed (it ends in ?token=…)",
  };
}
