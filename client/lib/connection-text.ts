/** The words for a connection state, shared by the wall's indicator and the consoles' header. */
import type { ConnectionState } from './socket.js';
import { locale } from './locale.svelte.js';

export function connectionText(state: ConnectionState, since: string): string {
  switch (state) {
    case 'connecting':
      return locale.t('conn.connecting');
    case 'live':
      return locale.t('conn.live');
    case 'catching-up':
      return locale.t('conn.catchingUp');
    case 'reconnecting':
      return locale.t('conn.reconnecting', { time: since });
    case 'offline':
      return locale.t('conn.offline', { time: since });
  }
}
