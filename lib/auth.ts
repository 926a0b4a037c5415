// Accounts on the server: the better-auth instance (e-mail + password, sessions in PostgreSQL through
// the Prisma adapter, roles from the admin plugin), who is signed in, and who becomes an administrator.
// Pages and server actions ask here; the browser talks to /api/auth through lib/auth-client.ts.
import { betterAuth } from "better-auth/minimal";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { admin } from "better-auth/plugins/admin";
import { headers } from "next/headers";
import { cache } from "react";
import { db } from "./db";
import { sendAddressConfirmation } from "./digest/transport";
import { env, publicUrl, readerPort, type Env } from "./env";
import { childLogger } from "./logger";
import { COOKIE_PREFIX } from "./session-cookie";

export type Role = "user" | "admin";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** How long the link confirming an address (for e-mail digests) works. */
export const ADDRESS_CONFIRMATION_HOURS = 24;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** Shown on the sign-in page when a disabled account tries to sign in (the admin plugin refuses it). */
export const DISABLED_ACCOUNT_MESSAGE = "This account has been disabled by an administrator.";

// Only for NODE_ENV test/development: a known value must never sign production cookies.
const DEVELOPMENT_SECRET = "paper-triage-development-secret-not-for-production-use";

/** A signed-in reader (401) or an administrator (403) was needed. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

/** The accounts cannot work as configured (AUTH_SECRET missing in production). */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthConfigError";
  }
}

const MISSING_SECRET =
  "AUTH_SECRET is not set. It signs session cookies: set it to a random string of at least 32 characters " +
  "(`openssl rand -hex 32`), or start the app with `npm start` (or `npm run web`), which keeps one in DATA_DIR/auth-secret.";

/** The secret that signs session cookies (also signs topic feed tokens, lib/topics/feed-token.ts). */
export function authSecret(config: Env): string {
  if (config.AUTH_SECRET) return config.AUTH_SECRET;
  if (config.NODE_ENV === "test" || config.NODE_ENV === "development") return DEVELOPMENT_SECRET;
  throw new AuthConfigError(MISSING_SECRET);
}

let reportedProblem = false;

/**
 * Why accounts cannot work in this process (AUTH_SECRET missing in production), or null. Browsing
 * needs no account, so pages carry on signed out; the account pages and /api/auth show this text,
 * and it is logged once as an error.
 */
export function authConfigProblem(config: Env = env()): string | null {
  try {
    authSecret(config);
    return null;
  } catch (error) {
    if (!(error instanceof AuthConfigError)) throw error;
    if (!reportedProblem) {
      reportedProblem = true;
      childLogger("auth").error(error.message);
    }
    return error.message;
  }
}

/** Origins allowed to post to /api/auth and to receive redirects. */
function trustedOrigins(config: Env, base: string): string[] {
  const origins = new Set([new URL(base).origin]);
  // Without PUBLIC_URL the app is usually opened on this machine under either loopback name.
  if (!config.PUBLIC_URL) {
    for (const host of ["localhost", "127.0.0.1", "[::1]"]) origins.add(`http://${host}:${readerPort(config)}`);
  }
  return [...origins];
}

function isListedAdmin(email: string, config: Env = env()): boolean {
  return config.ADMIN_EMAILS.includes(email.trim().toLowerCase());
}

/**
 * Makes `userId` an administrator when there is none yet. The advisory lock serialises concurrent
 * first sign-ups, and the check runs after the lock is held (a new snapshot under READ COMMITTED),
 * so two accounts created at the same moment cannot both see "no admin" and both be promoted.
 */
export async function promoteIfFirstAdmin(userId: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('paper-triage:first-admin'))`);
    const promoted = await tx.$executeRawUnsafe(
      `UPDATE users SET role = 'admin', updated_at = now()
       WHERE id = $1 AND role <> 'admin' AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`,
      userId,
    );
    return promoted > 0;
  });
}

/** Whether any administrator exists (the sign-up page tells the first visitor what they will be). */
export async function adminExists(): Promise<boolean> {
  return (await db().user.findFirst({ where: { role: "admin" }, select: { id: true } })) !== null;
}

function createAuth() {
  const config = env();
  const log = childLogger("auth");
  const base = publicUrl(config);
  return betterAuth({
    appName: "Paper Triage",
    baseURL: base,
    basePath: "/api/auth",
    secret: authSecret(config),
    trustedOrigins: trustedOrigins(config, base),
    database: prismaAdapter(db(), { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      // Sign-up signs in at once: only e-mail digests need a confirmed address (emailVerification below).
      requireEmailVerification: false,
      autoSignIn: true,
    },
    // With an SMTP server, addresses can be confirmed: turning an e-mail digest on sends the link
    // (app/topics/digest-actions.ts), and digests go to confirmed addresses only (users.email_verified),
    // so no one can have the server mail an address typed in at sign-up that is not theirs.
    ...(config.SMTP_URL
      ? {
          emailVerification: {
            sendOnSignUp: false,
            expiresIn: ADDRESS_CONFIRMATION_HOURS * 3600,
            sendVerificationEmail: ({ user, url }: { user: { email: string }; url: string }) =>
              sendAddressConfirmation({ ...config, SMTP_URL: config.SMTP_URL! }, user.email, url, ADDRESS_CONFIRMATION_HOURS),
          },
        }
      : {}),
    session: {
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
    },
    rateLimit: {
      // Per client address and path, counted in the database (table rate_limits) so every web
      // process and replica counts the same attempts. Tighter than the default burst for password
      // guessing, loose enough for a household sharing one address.
      enabled: config.AUTH_RATE_LIMIT > 0,
      storage: "database",
      customRules: {
        "/sign-in/email": { window: 60, max: config.AUTH_RATE_LIMIT },
        "/sign-up/email": { window: 60, max: config.AUTH_RATE_LIMIT },
      },
    },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      // The client address is the last X-Forwarded-For entry added by a hop not in TRUSTED_PROXIES
      // (the web front adds the address that connected to it), so a forged header moves nothing.
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"], trustedProxies: config.TRUSTED_PROXIES },
      // Secure cookies need https; a LAN install on plain http would otherwise never keep a session.
      useSecureCookies: base.startsWith("https://"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      // Explicit: better-auth turns the origin check off when NODE_ENV is "test".
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    telemetry: { enabled: false },
    logger: {
      level: config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? "debug" : "warn",
      log: (level, message, ...args) => log[level]({ args: args.length ? args : undefined }, message),
    },
    databaseHooks: {
      user: {
        create: {
          // Runs after the admin plugin's hook (which sets the default role), so this one wins.
          before: async (user) => (isListedAdmin(user.email) ? { data: { ...user, role: "admin" } } : undefined),
          // After the insert is committed: see promoteIfFirstAdmin for why this is race-safe.
          after: async (user) => {
            if (await promoteIfFirstAdmin(user.id)) log.info({ userId: user.id }, "first account: made administrator");
          },
        },
      },
      session: {
        create: {
          // ADMIN_EMAILS may be extended after an account exists: it takes effect on the next sign-in.
          after: async (session) => {
            if (config.ADMIN_EMAILS.length === 0) return;
            await db().user.updateMany({
              where: { id: session.userId, role: "user", email: { in: config.ADMIN_EMAILS, mode: "insensitive" } },
              data: { role: "admin" },
            });
          },
        },
      },
    },
    plugins: [
      admin({ defaultRole: "user", adminRoles: ["admin"], bannedUserMessage: DISABLED_ACCOUNT_MESSAGE }),
      // Last, as better-auth asks: lets server actions that call auth.api set and clear cookies.
      nextCookies(),
    ],
  });
}

export type AuthInstance = ReturnType<typeof createAuth>;

let instance: AuthInstance | undefined;

/**
 * The better-auth instance, made on first use: `next build` imports every route module, and the
 * database and secret are only required when a request actually needs them.
 */
export function getAuth(): AuthInstance {
  instance ??= createAuth();
  return instance;
}

/** The better-auth instance (created lazily on first property access; see getAuth). */
export const auth: AuthInstance = new Proxy({} as AuthInstance, {
  get: (_target, property) => Reflect.get(getAuth(), property),
  has: (_target, property) => Reflect.has(getAuth(), property),
});

/**
 * The signed-in reader of the current request, or null (signed out, session expired, account disabled).
 * Memoised per server render: the header's menu and the page ask once between them.
 */
export const getCurrentUser: () => Promise<CurrentUser | null> = cache(async () => userFromHeaders(await headers()));

/** Same as getCurrentUser for route handlers, which have the request's headers at hand. */
export async function userFromHeaders(requestHeaders: Headers): Promise<CurrentUser | null> {
  if (authConfigProblem()) return null;
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const { user } = session;
  // Disabling an account through the admin API revokes its sessions; one set in the database
  // directly does not, so a session of a disabled account is treated as none.
  if (user.banned && (!user.banExpires || new Date(user.banExpires).getTime() > Date.now())) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "user" };
}

/** The signed-in reader; throws AuthError(401) otherwise. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new AuthError(401, "Sign in to continue.");
  return user;
}

/** The signed-in administrator; throws AuthError(401) when signed out, AuthError(403) for other readers. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await requireUser();
  if (user.role !== "admin") throw new AuthError(403, "Only an administrator can do this.");
  return user;
}

/**
 * Where to go after signing in: a path on this site, or "/". Refuses absolute URLs, protocol-relative
 * "//host" and "/\host" (browsers treat a backslash like a slash), and anything with control characters.
 */
export function safeNextPath(next: string | string[] | null | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  try {
    const url = new URL(value, "http://same.invalid");
    if (url.origin !== "http://same.invalid") return "/";
    // Never bounce back into the sign-in pages themselves.
    if (url.pathname === "/sign-in" || url.pathname === "/sign-up") return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
