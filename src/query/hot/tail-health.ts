/**
 * How a session's Kafka tail is doing, for /healthz and /metrics: `connecting` during the
 * first try, `down` (with why) while the brokers do not answer or fetches stopped,
 * `no-topics` while none of the tailed topics exists, `live` while fetches keep returning.
 */
export interface TailHealth {
  readonly state: 'connecting' | 'down' | 'no-topics' | 'live';
  readonly error?: string;
}
