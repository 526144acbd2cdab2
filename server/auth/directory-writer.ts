/**
 * Appends access events (users, kiosks, keys, sign-outs) to the log. A source key makes each change happen once
 * across every node: a second creation of the same user name, or a second edit based on the same version, comes
 * back as a duplicate of the first, which the caller answers as a conflict.
 */
import type { AccessEventDataMap, AccessEventType } from '../../shared/access-events.js';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import type { EventStore } from '../store/event-store.js';

export class DirectoryWriter {
  constructor(private readonly deps: { store: EventStore; newId: () => string }) {}

  /** Resolves once committed (and applied by this node); `duplicate` when the source key was already taken. */
  async append<T extends AccessEventType>(type: T, data: AccessEventDataMap[T], sourceKey?: string): Promise<{ event: StoredEvent; duplicate: boolean }> {
    const draft = { id: this.deps.newId(), type, data, ...(sourceKey && { sourceKey }) } as EventDraft;
    const [outcome] = await this.deps.store.append([draft]);
    return outcome!;
  }
}
