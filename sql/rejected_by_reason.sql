-- Rejected records per topic and kind of reason (the reason up to its first colon, e.g.
-- `invalid_field`, `unknown_event_type`), most frequent first, with one full reason as
-- an example and the latest rejection time.
SELECT topic,
       split_part(reason, ':', 1) AS reason_kind,
       count(*) AS rejected,
       min(reason) AS example_reason,
       max(rejected_at) AS last_rejected_at
FROM rejected_events
GROUP BY topic, reason_kind
ORDER BY rejected DESC, topic, reason_kind;
