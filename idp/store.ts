/**
 * An in-memory storage adapter for oidc-provider.
 *
 * oidc-provider's bundled memory adapter is an LRU of 1,000 entries: under a load test it
 * silently evicts grants and refresh tokens, which looks exactly like the IdP revoking a
 * grant. This one keeps everything until it expires, and can list what belongs to one
 * account so the test controls can revoke a person's grants and sessions.
 */
type Payload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  consumed?: number;
};

interface Entry {
  readonly model: string;
  payload: Payload;
  readonly expiresAt: number;
}

const entries = new Map<string, Entry>();

function keyFor(model: string, id: string): string {
  return `${model}:${id}`;
}

function live(key: string): Entry | undefined {
  const entry = entries.get(key);
  if (entry && entry.expiresAt <= Date.now()) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

function sweep(): void {
  const now = Date.now();
  for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
}
setInterval(sweep, 60_000).unref();

export class MemoryStore {
  constructor(private readonly model: string) {}

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    entries.set(keyFor(this.model, id), { model: this.model, payload, expiresAt });
  }

  async find(id: string): Promise<Payload | undefined> {
    return live(keyFor(this.model, id))?.payload;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    return this.findWhere((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    return this.findWhere((payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = live(keyFor(this.model, id));
    if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
  }

  async destroy(id: string): Promise<void> {
    entries.delete(keyFor(this.model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    revokeGrant(grantId);
  }

  private findWhere(match: (payload: Payload) => boolean): Payload | undefined {
    for (const [key, entry] of entries) {
      if (entry.model === this.model && live(key) && match(entry.payload)) return entry.payload;
    }
    return undefined;
  }
}

/**
 * What the store knows of a refresh token, looked up by its value (opaque tokens are
 * stored under their value). `consumed`: already rotated, so presenting it again is reuse
 * and oidc-provider answers by revoking the whole grant.
 */
export function refreshTokenState(value: string): 'live' | 'consumed' | 'unknown' {
  const entry = live(keyFor('RefreshToken', value));
  if (!entry) return 'unknown';
  return entry.payload.consumed ? 'consumed' : 'live';
}

/**
 * The reuse grace period of IdPs such as Okta: a refresh token rotated less than
 * `graceSec` ago is made usable again, so presenting it rotates it once more instead of
 * revoking the grant.
 */
export function restoreRecentlyConsumed(value: string, graceSec: number): void {
  const entry = live(keyFor('RefreshToken', value));
  const consumed = entry?.payload.consumed;
  if (entry && consumed !== undefined && Math.floor(Date.now() / 1000) - consumed <= graceSec) {
    const { consumed: _spent, ...unspent } = entry.payload;
    entry.payload = unspent;
  }
}

function revokeGrant(grantId: string): void {
  for (const [key, entry] of entries) {
    if (entry.payload.grantId === grantId || key === keyFor('Grant', grantId)) entries.delete(key);
  }
}

/**
 * Revokes every grant of one account and ends its IdP sessions, as an administrator
 * disabling a person's sign-ins would. Returns how many grants were revoked.
 */
export function revokeAccount(accountId: string): number {
  const grantIds = new Set<string>();
  for (const [key, entry] of entries) {
    if (entry.payload.accountId !== accountId) continue;
    if (entry.model === 'Grant') grantIds.add(key.slice('Grant:'.length));
    if (entry.model === 'Session') entries.delete(key);
  }
  for (const grantId of grantIds) revokeGrant(grantId);
  return grantIds.size;
}
