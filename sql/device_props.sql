-- Each device's props: the `device` object of its latest event (by `ts`) that carried one
-- (docs/CONTRACTS.md §2). A device has a row per topic and flush window, each with the
-- props of its own latest such event and that event's `ts` in `props_ts`; the device's
-- props are those of the row with the greatest `props_ts`. Rows written before lakegraph
-- recorded `props_ts` have it null: they rank below every row that has it, the newest
-- `last_seen` first. `props` is JSON; its four fields are split out beside it.
--   SET VARIABLE device_id = 'd-17-0';   -- unset: every device that has props
WITH latest AS (
    SELECT node_id AS device_id,
           first(props ORDER BY props_ts DESC NULLS LAST, last_seen DESC) AS props,
           max(props_ts) AS props_ts
    FROM nodes
    WHERE node_type = 'device' AND props IS NOT NULL
      AND (getvariable('device_id') IS NULL OR node_id = getvariable('device_id'))
    GROUP BY node_id
)
SELECT device_id, props ->> 'type' AS type, props ->> 'os' AS os, props ->> 'model' AS model,
       props ->> 'app_version' AS app_version, props_ts, props
FROM latest
ORDER BY device_id;
