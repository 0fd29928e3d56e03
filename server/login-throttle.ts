import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface LoginThrottleSettings {
  /** Failed sign-ins per email before each further failure locks it out for a while. */
  freeAttempts: number;
  /** The longest lockout, in seconds: the doubling stops here. */
  maxLockoutSeconds: number;
}

/** One address may fail this many times as many as one email (a shared office, mistyped emails). */
const ADDRESS_FACTOR = 4;
/** Failures are forgotten this long after the first one (and at once after a success for that email). */
const FAILURE_WINDOW_SECONDS = 24 * 3600;

/**
 * Slows password guessing with exponential backoff, per email (guessing one account from many
 * addresses) and per address (trying many accounts from one): after the free attempts, every
 * failure locks further attempts out for 2 s, then 4, 8, ... up to `maxLockoutSeconds`.
 * Unknown emails are throttled exactly like known ones, so the throttle reveals nothing.
 */
export class LoginThrottle {
  private readonly failures = new RateLimiterMemory({ keyPrefix: 'login-failures', points: Number.MAX_SAFE_INTEGER, duration: FAILURE_WINDOW_SECONDS });
  // block() marks a key as over its single point until the lockout ends.
  private readonly lockouts = new RateLimiterMemory({ keyPrefix: 'login-lockouts', points: 1, duration: 1 });

  constructor(private readonly settings: LoginThrottleSettings) {}

  /** How long until this email may be tried again from this address; 0 when it may now. */
  async lockedForMs(email: string, address: string): Promise<number> {
    const locks = await Promise.all([this.lockouts.get(emailKey(email)), this.lockouts.get(addressKey(address))]);
    return Math.max(0, ...locks.map((l) => (l && l.consumedPoints > 1 ? l.msBeforeNext : 0)));
  }

  async failed(email: string, address: string): Promise<void> {
    await Promise.all([
      this.countFailure(emailKey(email), this.settings.freeAttempts),
      this.countFailure(addressKey(address), this.settings.freeAttempts * ADDRESS_FACTOR),
    ]);
  }

  /** A correct password clears the email's failures; the address keeps its count. */
  async succeeded(email: string): Promise<void> {
    await Promise.all([this.failures.delete(emailKey(email)), this.lockouts.delete(emailKey(email))]);
  }

  private async countFailure(key: string, free: number): Promise<void> {
    const { consumedPoints } = await this.failures.penalty(key, 1);
    const over = consumedPoints - free;
    if (over > 0) await this.lockouts.block(key, Math.min(this.settings.maxLockoutSeconds, 2 ** Math.min(over, 30)));
  }
}

const emailKey = (email: string) => `email:${email}`;
const addressKey = (address: string) => `address:${address}`;
