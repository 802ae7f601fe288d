// An independent, plain TypeScript implementation of the CLV model (docs/dictionary-notes/customer_clv.md) and the customer
// features (docs/feature-catalog.md), written from their documentation. The tests compare the
// DuckDB assets against it.

const DAY = 86_400_000;
const MONTH_DAYS = 30;
const GROSS_MARGIN = 0.3;
const MAX_LIFETIME_MONTHS = 36;

export interface Sale {
  transactionId: number;
  customerId: number;
  productId: number;
  /** Amount paid in cents. */
  cents: number;
  /** transaction_ts in epoch milliseconds. */
  ts: number;
  deliveryDate: string;
}

export interface ProductVersion {
  productId: number;
  category: string;
  updatedAt: number;
}

export interface Click {
  eventId: string;
  sessionId: string;
  customerId: number | null;
  eventType: string;
  ts: number;
}

export interface ReferenceClv {
  orders: number;
  historicalCents: number;
  monthlyChurnRate: number;
  expectedLifetimeMonths: number;
  purchaseFrequencyPerMonth: number;
  predictedClv: number;
}

export interface ReferenceFeatures {
  recency_days: number | null;
  frequency: number;
  monetaryCents: number;
  preferred_category: string | null;
  sessions: number;
  product_views: number;
  add_to_cart_rate: number | null;
  conversion_rate: number | null;
  /** Latest timestamp of any input row used (ms), or null. */
  maxInputTs: number | null;
}

const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Sales known at `asOf`: happened before it and delivered before its day. */
export function knownAt(sales: Sale[], asOf: number): Sale[] {
  const day = isoDay(asOf);
  return sales.filter((s) => s.ts < asOf && s.deliveryDate < day);
}

/** The CLV model of docs/dictionary-notes/customer_clv.md for every customer with a sale known at `asOf`. */
export function referenceClv(sales: Sale[], asOf: number): Map<number, ReferenceClv> {
  const known = knownAt(sales, asOf);
  const start = Math.min(...known.map((s) => dayOf(s.ts)));
  const window = Math.min(MONTH_DAYS, Math.floor((dayOf(asOf) - start) / DAY / 2));
  const previousFrom = asOf - 2 * window * DAY;
  const latestFrom = asOf - window * DAY;
  const previous = new Set(
    known.filter((s) => s.ts >= previousFrom && s.ts < latestFrom).map((s) => s.customerId),
  );
  const latest = new Set(known.filter((s) => s.ts >= latestFrom).map((s) => s.customerId));
  const retained = [...previous].filter((c) => latest.has(c)).length;
  const churn = 1 - (retained / previous.size) ** (MONTH_DAYS / window);
  const lifetime = churn <= 1 / MAX_LIFETIME_MONTHS ? MAX_LIFETIME_MONTHS : 1 / churn;

  const byCustomer = new Map<number, Sale[]>();
  for (const s of known) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s]);
  const out = new Map<number, ReferenceClv>();
  for (const [customerId, own] of byCustomer) {
    const cents = own.reduce((sum, s) => sum + s.cents, 0);
    const first = Math.min(...own.map((s) => s.ts));
    const aov = cents / 100 / own.length;
    const frequency = own.length / Math.max(1, (asOf - first) / (MONTH_DAYS * DAY));
    out.set(customerId, {
      orders: own.length,
      historicalCents: cents,
      monthlyChurnRate: churn,
      expectedLifetimeMonths: lifetime,
      purchaseFrequencyPerMonth: frequency,
      predictedClv: aov * frequency * lifetime * GROSS_MARGIN,
    });
  }
  return out;
}

/** The product version in effect at a sale (earliest known one if the sale precedes every version). */
function versionAt(versions: ProductVersion[], productId: number, ts: number, asOf: number) {
  const own = versions.filter((v) => v.productId === productId).sort((a, b) => a.updatedAt - b.updatedAt);
  const inEffect = own.filter((v) => v.updatedAt <= ts).at(-1);
  if (inEffect) return inEffect;
  return own[0] && own[0].updatedAt < asOf ? own[0] : undefined;
}

/** The customer features of one customer from what was known at `asOf` (everything but CLV). */
export function referenceFeatures(
  customerId: number,
  asOf: number,
  input: { sales: Sale[]; versions: ProductVersion[]; clicks: Click[] },
): ReferenceFeatures {
  const own = knownAt(input.sales, asOf).filter((s) => s.customerId === customerId);
  const spend = new Map<string, number>();
  let maxInputTs: number | null = null;
  const seen = (ts: number) => {
    maxInputTs = maxInputTs === null ? ts : Math.max(maxInputTs, ts);
  };
  for (const s of own) {
    seen(s.ts);
    const version = versionAt(input.versions, s.productId, s.ts, asOf);
    if (!version) continue;
    seen(version.updatedAt);
    spend.set(version.category, (spend.get(version.category) ?? 0) + s.cents);
  }
  const preferred = [...spend.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];

  const events = new Map<string, Click>();
  for (const c of input.clicks) if (!events.has(c.eventId)) events.set(c.eventId, c);
  const clicks = [...events.values()].filter((c) => c.customerId === customerId && c.ts < asOf);
  for (const c of clicks) seen(c.ts);
  const sessions = new Set(clicks.map((c) => c.sessionId));
  const purchaseSessions = new Set(clicks.filter((c) => c.eventType === 'purchase').map((c) => c.sessionId));
  const views = clicks.filter((c) => c.eventType === 'product_view').length;
  const carts = clicks.filter((c) => c.eventType === 'add_to_cart').length;
  const lastSale = own.length ? Math.max(...own.map((s) => s.ts)) : null;

  return {
    recency_days: lastSale === null ? null : (dayOf(asOf) - dayOf(lastSale)) / DAY,
    frequency: own.length,
    monetaryCents: own.reduce((sum, s) => sum + s.cents, 0),
    preferred_category: preferred?.[0] ?? null,
    sessions: sessions.size,
    product_views: views,
    add_to_cart_rate: views === 0 ? null : carts / views,
    conversion_rate: sessions.size === 0 ? null : purchaseSessions.size / sessions.size,
    maxInputTs,
  };
}
