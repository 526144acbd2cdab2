/**
 * What the duty desk (值班台) hears: a sound and, with the browser's permission, a system notification when something
 * arrives that needs the officer now — a new red alert, a 特急 case (a new case of the highest severity, 5), or a
 * case returned by its lead department and awaiting arbitration. Each kind can be muted on its own (kept in
 * localStorage). What is on the desk when it opens is the baseline: only what arrives later alarms, once per item.
 *
 * Every notification shown is counted in `document.body.dataset.notificationsShown` (as sound.ts counts sounds), so a
 * browser test sees it without mocking this module.
 */
import { AlertSound, type Chime, type SoundState } from './sound.js';

export const alarmKinds = ['redAlert', 'critical', 'returned'] as const;
export type AlarmKind = (typeof alarmKinds)[number];

export interface AlarmItem {
  id: string;
  /** What the notification says (already in the UI's language, no personal data). */
  text: string;
}

export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unavailable';

type Player = Pick<AlertSound, 'play' | 'unlock' | 'onState' | 'close'>;

export interface DutyAlarmDeps {
  sound?: () => Player;
  /** Shows one notification; default: the browser's Notification API when permitted. */
  notify?: (title: string, body: string, tag: string) => boolean;
  permission?: () => NotifyPermission;
  requestPermission?: () => Promise<NotifyPermission>;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
}

const STORAGE_KEY = 'sygl.duty.muted';
const chimes: Record<AlarmKind, Chime> = { redAlert: 'critical', critical: 'critical', returned: 'whistle' };

function browserPermission(): NotifyPermission {
  const N = globalThis.Notification;
  return N ? (N.permission as NotifyPermission) : 'unavailable';
}

function browserNotify(title: string, body: string, tag: string): boolean {
  const N = globalThis.Notification;
  if (!N || N.permission !== 'granted') return false;
  try {
    new N(title, { body, tag });
  } catch {
    return false;
  }
  const b = globalThis.document?.body;
  if (b) b.dataset.notificationsShown = String(Number(b.dataset.notificationsShown ?? 0) + 1);
  return true;
}

export class DutyAlarm {
  #muted = $state<Record<AlarmKind, boolean>>({ redAlert: false, critical: false, returned: false });
  #sound = $state<SoundState>('unavailable');
  #permission = $state<NotifyPermission>('unavailable');
  /** The last items heard per kind (ids), and whether the first answer (the baseline) has come in. */
  readonly #seen: Record<AlarmKind, Set<string>> = { redAlert: new Set(), critical: new Set(), returned: new Set() };
  readonly #primed: Record<AlarmKind, boolean> = { redAlert: false, critical: false, returned: false };
  readonly #deps: DutyAlarmDeps;
  #player: Player | null = null;

  constructor(deps: DutyAlarmDeps = {}) {
    this.#deps = deps;
    this.#permission = (deps.permission ?? browserPermission)();
    try {
      const raw = JSON.parse(this.#storage?.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
      for (const kind of alarmKinds) if (raw[kind] === true) this.#muted[kind] = true;
    } catch {
      // An unreadable setting: nothing muted.
    }
  }

  get #storage() {
    return 'storage' in this.#deps ? this.#deps.storage : globalThis.localStorage;
  }

  get sound(): SoundState {
    return this.#sound;
  }

  get permission(): NotifyPermission {
    return this.#permission;
  }

  muted(kind: AlarmKind): boolean {
    return this.#muted[kind];
  }

  toggle(kind: AlarmKind): void {
    this.#muted[kind] = !this.#muted[kind];
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(this.#muted));
    } catch {
      // Private mode: the switch holds for this page.
    }
  }

  /** Must run inside a click: unblocks the sound and asks for notifications. */
  async enable(): Promise<void> {
    await this.#player?.unlock();
    if (this.#permission === 'default') {
      const ask = this.#deps.requestPermission ?? (async () => ((await globalThis.Notification?.requestPermission()) as NotifyPermission | undefined) ?? 'unavailable');
      try {
        this.#permission = await ask();
      } catch {
        this.#permission = (this.#deps.permission ?? browserPermission)();
      }
    }
  }

  /**
   * The items of one kind now on the desk. The first call is the baseline and alarms nothing; later, each item not
   * heard before alarms once (unless its kind is muted). Returns the new items.
   */
  observe(kind: AlarmKind, items: readonly AlarmItem[], title: string): AlarmItem[] {
    const seen = this.#seen[kind];
    const fresh = this.#primed[kind] ? items.filter((i) => !seen.has(i.id)) : [];
    for (const i of items) seen.add(i.id);
    this.#primed[kind] = true;
    if (fresh.length && !this.#muted[kind]) {
      this.#player?.play(chimes[kind]);
      const notify = this.#deps.notify ?? browserNotify;
      for (const item of fresh.slice(0, 3)) notify(title, item.text, `${kind}:${item.id}`);
    }
    return fresh;
  }

  start(): () => void {
    this.#player = (this.#deps.sound ?? (() => new AlertSound()))();
    const off = this.#player.onState((state) => (this.#sound = state));
    return () => {
      off();
      this.#player?.close();
      this.#player = null;
    };
  }
}
