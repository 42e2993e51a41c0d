/** A window's edge rows → an Arrow table of exactly `arrowSchemaOf(EDGES_SCHEMA)`. */
import type * as arrow from 'apache-arrow';
import { EDGES_SCHEMA, arrowSchemaOf } from '../../lake/tables.js';
import { EDGE_ENDPOINTS, EDGE_TYPES, NODE_TYPES } from '../../graph/model.js';
import type { EdgeRows } from '../window/edge-accumulator.js';
import { encodeStrings, int64Column, tableOf, timestamptzColumn, utf8ByIndex } from './columns.js';

const SCHEMA = arrowSchemaOf(EDGES_SCHEMA);
const EDGE_TYPE_NAMES = encodeStrings(EDGE_TYPES);
const NODE_TYPE_NAMES = encodeStrings(NODE_TYPES);
const SRC_TYPE_OF = Uint8Array.from(EDGE_TYPES, (e) => NODE_TYPES.indexOf(EDGE_ENDPOINTS[e].src));
const DST_TYPE_OF = Uint8Array.from(EDGE_TYPES, (e) => NODE_TYPES.indexOf(EDGE_ENDPOINTS[e].dst));

export function edgesTable(rows: EdgeRows): arrow.Table {
  const { length } = rows;
  const ids = encodeStrings(rows.ids);
  return tableOf(SCHEMA, length, [
    utf8ByIndex(EDGE_TYPE_NAMES, rows.edgeType, length),
    utf8ByIndex(NODE_TYPE_NAMES, rows.edgeType.map((e) => SRC_TYPE_OF[e]!), length),
    utf8ByIndex(ids, rows.srcId, length),
    utf8ByIndex(NODE_TYPE_NAMES, rows.edgeType.map((e) => DST_TYPE_OF[e]!), length),
    utf8ByIndex(ids, rows.dstId, length),
    timestamptzColumn(rows.firstSeen, length),
    timestamptzColumn(rows.lastSeen, length),
    int64Column(rows.eventCount, length),
    utf8ByIndex(encodeStrings(rows.topics), rows.sourceTopic, length),
  ]);
}
