/** The current UI language as a rune, persisted in localStorage; Chinese unless the user switched. */
import type { StreetInfo } from '../../shared/geo.js';
import type { Localized } from '../../shared/vocabulary.js';
import { isLocale, translate, type Locale, type MessageKey, type MessageParams } from './i18n.js';

const STORAGE_KEY = 'sygl.locale';

function stored(): Locale {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(value) ? value : 'zh';
  } catch {
    return 'zh';
  }
}

class LocaleState {
  #current = $state<Locale>(stored());

  get current(): Locale {
    return this.#current;
  }

  set(next: Locale): void {
    this.#current = next;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode or a locked-down kiosk: the switch still holds for this session.
    }
  }

  toggle(): void {
    this.set(this.#current === 'zh' ? 'en' : 'zh');
  }

  t = (key: MessageKey, params?: MessageParams): string => translate(this.#current, key, params);

  /** A data-supplied name in the current language, falling back to Chinese. */
  name = (value: Localized | undefined): string => (value ? value[this.#current] || value.zh : '');

  /** A street's name: the data carries an English one; communities have Chinese names only. */
  street = (street: StreetInfo | undefined): string => (this.#current === 'en' && street?.nameEn) || street?.name || '';
}

export const locale = new LocaleState();
