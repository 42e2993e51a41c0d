/** An accepted event → its node and edge observations, row by row as in docs/CONTRACTS.md §2. */
import type { AppEvent } from '../events/contracts.js';
import type { GraphSink } from './sink.js';

export function mapEvent(event: AppEvent, sink: GraphSink): void {
  const { ts, account_id: account, device_id: device } = event;
  sink.node('account', account, ts, null);
  sink.node('device', device, ts, event.device ?? null);

  const profile = event.profile_id;
  if (profile !== undefined) {
    sink.node('profile', profile, ts, null);
    sink.edge('has_profile', account, profile, ts);
    sink.edge('used_device', profile, device, ts);
  }

  switch (event.event_type) {
    case 'login':
      sink.edge('logged_in_from', account, device, ts);
      return;
    case 'logout':
    case 'app_open':
      return;
    case 'play_start':
    case 'play_heartbeat':
    case 'play_pause':
    case 'play_stop':
      sink.node('title', event.title_id, ts, null);
      sink.edge('watched', event.profile_id, event.title_id, ts);
      return;
    case 'game_start':
    case 'game_heartbeat':
    case 'game_end':
      sink.node('game', event.game_id, ts, null);
      sink.edge('played', event.profile_id, event.game_id, ts);
      return;
    case 'ad_impression':
    case 'ad_click':
      sink.node('ad', event.ad_id, ts, null);
      sink.edge(event.event_type === 'ad_click' ? 'clicked_ad' : 'saw_ad', event.profile_id, event.ad_id, ts);
      if (event.campaign_id !== undefined) {
        sink.node('campaign', event.campaign_id, ts, null);
        sink.edge('in_campaign', event.ad_id, event.campaign_id, ts);
      }
      return;
    case 'live_join':
    case 'live_heartbeat':
    case 'live_leave':
      sink.node('live_event', event.live_event_id, ts, null);
      sink.edge('attended', event.profile_id, event.live_event_id, ts);
      return;
    default:
      event satisfies never;
  }
}
