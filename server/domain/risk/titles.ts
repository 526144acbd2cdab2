/**
 * Alert titles: Chinese, and safe for the wall — area and category names and figures only, never a party's name,
 * phone or ID number (the rules never see them in a form they could print: people are hashes by then).
 */
import type { PetitionLevel } from '../../../shared/vocabulary.js';
import type { Signal } from './signals.js';

export interface NameLookup {
  area(code: string): string | undefined;
  category(code: string): string | undefined;
}

const PETITION_LEVEL_ZH: Record<PetitionLevel, string> = { street: '街道', district: '区', city: '市', province: '省', national: '国家' };

export function alertTitle(signal: Signal, names: NameLookup | undefined, sensitive: boolean): string {
  const areaCode = signal.scope.kind === 'street' ? signal.streetCode : (signal.communityCode ?? signal.streetCode);
  const area = names?.area(areaCode) ?? areaCode;
  const category = names?.category(signal.category) ?? signal.category;
  const f = signal.facts;
  const prefix = sensitive ? '【敏感期】' : '';
  switch (signal.rule) {
    case 'spike':
      return `${prefix}${area}${category}激增：${f.windowHours}小时内${f.observed}件，常态约${f.expected}件`;
    case 'collective':
      return `${prefix}${area}群体性${category}：涉及${f.people}人`;
    case 'respondent':
      return `${prefix}${area}${category}：同一被申请方${f.withinDays}天内${f.cases}起`;
    case 'repeatPetition':
      return `${prefix}${area}重复信访：同一信访人${f.withinDays}天内${f.petitions}次`;
    case 'skipTier':
      return `${prefix}${area}越级信访：未经街道、区直接到${PETITION_LEVEL_ZH[f.petitionLevel as PetitionLevel] ?? ''}级信访`;
    case 'staleHighSeverity': {
      const hours = Number(f.oldestHours);
      const age = hours >= 48 ? `${Math.floor(hours / 24)} 天` : `${hours} 小时`;
      return `${prefix}${area} ${f.cases} 件高风险案件超时未结（最长 ${age}）`;
    }
  }
}
