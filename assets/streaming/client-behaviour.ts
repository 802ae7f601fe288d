import { type ClickEvent, encodeClickEvent } from './click-event.js';

/** How real clients misbehave, as shares of the events (each in [0, 1]). */
export interface ClientBehaviourOptions {
  /** Sent 1-8 s (event time) after later events: out of order, within the watermark bound. */
  disorderShare: number;
  /** Held back `lateDelaySeconds` (event time): arrives after its window closed. */
  lateShare: number;
  /** Sent a second time 0.5-5 s later (a retry after a lost acknowledgement). */
  duplicateShare: number;
  /** An extra record that is not a valid event (garbage, a missing field, a far-future time). */
  malformedShare: number;
  /** How long late events are held back, seconds (default 150-300). */
  lateDelaySeconds?: [number, number];
  random?: () => number;
}

/** One record the producer sends. */
export interface OutgoingRecord {
  partitionKey: string;
  /** Builds the JSON at send time (so `sent_ts` is the send time). */
  encode(sentAt: number): Uint8Array;
  kind: 'event' | 'duplicate' | 'late' | 'disordered' | 'malformed';
}

const encoder = new TextEncoder();

function malformed(event: ClickEvent, random: () => number): OutgoingRecord {
  const variant = Math.floor(random() * 4);
  return {
    partitionKey: event.sessionId,
    kind: 'malformed',
    encode: (sentAt) => {
      const json = JSON.parse(encodeClickEvent({ ...event, sentTime: sentAt })) as Record<string, unknown>;
      if (variant === 0) return encoder.encode(`${JSON.stringify(json).slice(0, 40)}…`);
      if (variant === 1) delete json.event_id;
      if (variant === 2) json.customer_id = 'guest';
      if (variant === 3) json.device_ts = new Date(sentAt + 86_400_000).toISOString();
      return encoder.encode(JSON.stringify(json));
    },
  };
}

/**
 * Turns a flow of events (in event-time order) into the records clients send, mixing in the
 * configured shares of disorder, late arrival, duplicates and malformed records. Delays are in
 * event time, so live events and a replayed day behave alike: a held record is released once the
 * flow's event time has moved past its release time.
 *
 * @example
 * const behaviour = new ClientBehaviour({ disorderShare: 0.05, lateShare: 0.01, duplicateShare: 0.01, malformedShare: 0 });
 * const now = behaviour.admit(events); // records to send now
 * const rest = behaviour.drain();       // at the end
 */
export class ClientBehaviour {
  private held: Array<{ at: number; record: OutgoingRecord }> = [];
  private clock = Number.NEGATIVE_INFINITY;
  private readonly random: () => number;
  readonly counts = { events: 0, duplicates: 0, late: 0, disordered: 0, malformed: 0 };

  constructor(private readonly options: ClientBehaviourOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Records still held back. */
  get holding(): number {
    return this.held.length;
  }

  admit(events: readonly ClickEvent[]): OutgoingRecord[] {
    const out: OutgoingRecord[] = [];
    const r = this.random;
    const [lateMin, lateMax] = this.options.lateDelaySeconds ?? [150, 300];
    for (const event of events) {
      this.counts.events++;
      if (event.eventTime > this.clock) this.clock = event.eventTime;
      const record = (kind: OutgoingRecord['kind']): OutgoingRecord => ({
        partitionKey: event.sessionId,
        kind,
        encode: (sentAt) => encoder.encode(encodeClickEvent({ ...event, sentTime: sentAt })),
      });
      const u = r();
      if (u < this.options.lateShare) {
        this.counts.late++;
        this.hold(event.eventTime + (lateMin + r() * (lateMax - lateMin)) * 1000, record('late'));
      } else if (u < this.options.lateShare + this.options.disorderShare) {
        this.counts.disordered++;
        this.hold(event.eventTime + 1000 + r() * 7000, record('disordered'));
      } else out.push(record('event'));
      if (r() < this.options.duplicateShare) {
        this.counts.duplicates++;
        this.hold(event.eventTime + 500 + r() * 4500, record('duplicate'));
      }
      if (r() < this.options.malformedShare) {
        this.counts.malformed++;
        out.push(malformed(event, r));
      }
    }
    const ready = this.held.filter((h) => h.at <= this.clock);
    if (ready.length > 0) {
      this.held = this.held.filter((h) => h.at > this.clock);
      for (const h of ready) out.push(h.record);
    }
    return out;
  }

  /** Everything still held back (at the end of a run). */
  drain(): OutgoingRecord[] {
    const out = this.held.sort((a, b) => a.at - b.at).map((h) => h.record);
    this.held = [];
    return out;
  }

  private hold(at: number, record: OutgoingRecord): void {
    this.held.push({ at, record });
  }
}
