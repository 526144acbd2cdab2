/**
 * The zh/en labels of the domain vocabulary on the server: what reports (server/reports/) and ledgers
 * (server/ledger/) write for a code, and what a ledger's cells are matched against on import. The wording is the
 * consoles' (client/lib/i18n*.ts, key named on each table), so a report or a ledger reads like the app; change both
 * together. Names of places, categories and departments are data (data/) and carry their own zh/en.
 */
import type { AlertStatus, RiskRuleId } from '../shared/risk.js';
import type { AlertLevel, CaseKind, CaseSource, CaseStatus, Channel, Localized, Outcome, Tier, Urgency } from '../shared/vocabulary.js';

export type Lang = keyof Localized;

/** client/lib/i18n.ts `source.*` ('system': alerts and events from monitoring systems). */
export const sourceLabels: Record<CaseSource | 'system', Localized> = {
  grid: { zh: '网格员', en: 'Grid worker' },
  hotline: { zh: '12345热线', en: '12345 hotline' },
  walkin: { zh: '来访', en: 'Walk-in' },
  court: { zh: '法院委派', en: 'Court referral' },
  police: { zh: '110联动', en: '110 police' },
  online: { zh: '网上', en: 'Online' },
  system: { zh: '系统', en: 'System' },
};

/** client/lib/i18n.ts `kind.*`. */
export const kindLabels: Record<CaseKind, Localized> = {
  dispute: { zh: '矛盾纠纷', en: 'Dispute' },
  petition: { zh: '信访', en: 'Petition' },
};

/** client/lib/i18n.ts `outcome.*`. */
export const outcomeLabels: Record<Outcome, Localized> = {
  mediated: { zh: '调解成功', en: 'Mediated' },
  withdrawn: { zh: '撤回', en: 'Withdrawn' },
  litigation: { zh: '转诉讼', en: 'To litigation' },
  unresolved: { zh: '未化解', en: 'Unresolved' },
};

/** client/lib/i18n.ts `alert.*` (the colour of an alert level). */
export const levelLabels: Record<AlertLevel, Localized> = {
  red: { zh: '红色', en: 'Red' },
  orange: { zh: '橙色', en: 'Orange' },
  yellow: { zh: '黄色', en: 'Yellow' },
  blue: { zh: '蓝色', en: 'Blue' },
};

/** client/lib/i18n-dispatch.ts `tier.*`. */
export const tierLabels: Record<Tier, Localized> = {
  community: { zh: '社区', en: 'Community' },
  street: { zh: '街道', en: 'Street' },
  district: { zh: '区级', en: 'District' },
};

/** client/lib/i18n-dispatch.ts `channel.*`. */
export const channelLabels: Record<Channel, Localized> = {
  people: { zh: '人民调解', en: "People's mediation" },
  administrative: { zh: '行政调解', en: 'Administrative mediation' },
  judicial: { zh: '司法调解', en: 'Judicial mediation' },
};

/** client/lib/i18n-dispatch.ts `urgency.*`. */
export const urgencyLabels: Record<Urgency, Localized> = {
  critical: { zh: '特急', en: 'Critical' },
  urgent: { zh: '紧急', en: 'Urgent' },
  normal: { zh: '一般', en: 'Normal' },
};

/** client/lib/i18n-dispatch.ts `status.*`. */
export const statusLabels: Record<CaseStatus, Localized> = {
  received: { zh: '已受理', en: 'Received' },
  triaged: { zh: '已分流', en: 'Triaged' },
  whistled: { zh: '已吹哨', en: 'Whistled' },
  handling: { zh: '调处中', en: 'Handling' },
  returned: { zh: '已退单', en: 'Returned' },
  reopened: { zh: '已重办', en: 'Reopened' },
  resolved: { zh: '已办结', en: 'Resolved' },
  confirmed: { zh: '已司法确认', en: 'Judicially confirmed' },
  followedUp: { zh: '已回访', en: 'Followed up' },
  archived: { zh: '已归档', en: 'Archived' },
};

/** client/lib/i18n-risk.ts `rule.*` ('external': alerts raised by outside systems, which name no rule). */
export const ruleLabels: Record<RiskRuleId | 'external', Localized> = {
  spike: { zh: '异常激增', en: 'Spike' },
  collective: { zh: '群体性事件', en: 'Collective' },
  respondent: { zh: '同一被申请人多案', en: 'Same respondent' },
  repeatPetition: { zh: '重复信访', en: 'Repeat petitions' },
  skipTier: { zh: '越级信访', en: 'Skipped tier' },
  staleHighSeverity: { zh: '高风险久拖未决', en: 'Stale high severity' },
  external: { zh: '外部系统', en: 'External system' },
};

/** client/lib/i18n-risk.ts `alerts.status.*`. */
export const alertStatusLabels: Record<AlertStatus, Localized> = {
  raised: { zh: '待签收', en: 'New' },
  acknowledged: { zh: '已签收', en: 'Acknowledged' },
  closed: { zh: '已关闭', en: 'Closed' },
};

/** One language of a table: `labelsIn(tierLabels, 'en').street` is 'Street'. */
export function labelsIn<K extends string>(labels: Record<K, Localized>, lang: Lang): Record<K, string> {
  return Object.fromEntries(Object.entries<Localized>(labels).map(([code, label]) => [code, label[lang]])) as Record<K, string>;
}
