/** A window's node rows → an Arrow table of exactly `arrowSchemaOf(NODES_SCHEMA)`. */
import type * as arrow from 'apache-arrow';
import { NODES_SCHEMA, arrowSchemaOf } from '../../lake/tables.js';
import { NODE_TYPES } from '../../graph/model.js';
import { devicePropsJson } from '../../graph/device-props.js';
import type { NodeRows } from '../window/node-accumulator.js';
import { encodeStrings, int64Column, optionalTimestamptzColumn, tableOf, timestamptzColumn, utf8ByIndex, utf8FromStrings } from './columns.js';

const SCHEMA = arrowSchemaOf(NODES_SCHEMA);
const NODE_TYPE_NAMES = encodeStrings(NODE_TYPES);

export function nodesTable(rows: NodeRows): arrow.Table {
  const { length } = rows;
  return tableOf(SCHEMA, length, [
    utf8ByIndex(NODE_TYPE_NAMES, rows.nodeType, length),
    utf8ByIndex(encodeStrings(rows.ids), rows.nodeId, length),
    timestamptzColumn(rows.firstSeen, length),
    timestamptzColumn(rows.lastSeen, length),
    int64Column(rows.eventCount, length),
    utf8FromStrings(rows.device.map((device) => (device === null ? null : devicePropsJson(device)))),
    utf8ByIndex(encodeStrings(rows.topics), rows.sourceTopic, length),
    optionalTimestamptzColumn(rows.deviceTs, length),
  ]);
}
