import type { Device } from '../events/contracts.js';

/**
 * A device node's `props` column: the event's device object as JSON in one fixed key order,
 * so equal devices give equal strings whatever order the producer wrote the keys in.
 */
export function devicePropsJson(device: Device): string {
  return JSON.stringify({ type: device.type, os: device.os, model: device.model, app_version: device.app_version });
}
