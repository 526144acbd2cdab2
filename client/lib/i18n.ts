/**
 * Every UI string of the client, in one table per language. Components never hold text of their own: they call
 * `t(key)` through the reactive `locale` (locale.svelte.ts). Names of places and categories are data (geo.json,
 * categories.json) and carry their own zh/en.
 */
import { adminEn, adminZh } from './i18n-admin.js';
import { authEn, authZh } from './i18n-auth.js';
import { boardEn, boardZh } from './i18n-board.js';
import { dispatchEn, dispatchZh } from './i18n-dispatch.js';
import { deskEn, deskZh } from './i18n-desk.js';
import { errorsEn, errorsZh } from './i18n-errors.js';
import { leaderEn, leaderZh } from './i18n-leader.js';
import { reportsEn, reportsZh } from './i18n-reports.js';
import { riskEn, riskZh } from './i18n-risk.js';

export const locales = ['zh', 'en'] as const;
export type Locale = (typeof locales)[number];

const zhCore = {
  'app.title': '诉源治理指挥中心',
  'app.loading': '正在加载…',
  'app.loadFailed': '加载失败：{message}',
  'app.retry': '重试',
  'app.langSwitch': 'EN',
  'app.langSwitchLabel': 'EN（切换到英文）',

  'view.wall': '大屏',
  'view.duty': '值班台',
  'view.dept': '部门工作台',
  'view.leader': '领导驾驶舱',
  'view.admin': '系统管理',
  'view.login': '登录',

  'conn.connecting': '正在连接',
  'conn.live': '实时',
  'conn.catchingUp': '追赶中',
  'conn.reconnecting': '重连中 · 自 {time}',
  'conn.offline': '离线 · 自 {time}',
  'conn.asOf': '数据截至 {time}',
  'conn.noData': '尚无数据',

  'counter.newToday': '今日新增',
  'counter.open': '在办案件',
  'counter.resolvedToday': '今日办结',
  'counter.resolutionRate': '化解率（近30天）',
  'counter.none': '—',

  'chart.category': '纠纷类型（近30天）',
  'chart.source': '案件来源（近30天）',
  'chart.hourly': '近24小时新增',
  'chart.daily': '近30天趋势',
  'chart.daily.reported': '新增',
  'chart.daily.resolved': '办结',
  'chart.hotspots': '热点社区 TOP10',
  'chart.empty': '暂无数据',

  'metric.heat': '热度',
  'metric.open': '在办',
  'metric.newToday': '今日新增',
  'metric.label': '地图指标',

  'map.legendSchematic': '社区边界为示意',
  'map.legendTitle': '社区{metric}',
  'map.back': '返回全区',
  'map.backToStreet': '返回{street}',
  'map.tourOn': '自动巡游 · 每{seconds}秒',
  'map.tourPaused': '巡游已暂停 · {seconds}秒后继续',
  'map.district': '全区',
  'map.drawing': '地图绘制中…',

  'ticker.title': '实时动态',
  'ticker.empty': '等待新事件…',
  'ticker.people': '{n}人',
  'ticker.severity': '{n}级',
  'ticker.resolved': '办结',
  'ticker.reported': '受理',
  'ticker.alertTag': '{level}预警',

  'alert.banner': '{level}预警',
  'alert.red': '红色',
  'alert.orange': '橙色',
  'alert.yellow': '黄色',
  'alert.blue': '蓝色',

  'kind.dispute': '矛盾纠纷',
  'kind.petition': '信访',

  'source.grid': '网格员',
  'source.hotline': '12345热线',
  'source.walkin': '来访',
  'source.court': '法院委派',
  'source.police': '110联动',
  'source.online': '网上',
  'source.system': '系统',

  'outcome.mediated': '调解成功',
  'outcome.withdrawn': '撤回',
  'outcome.litigation': '转诉讼',
  'outcome.unresolved': '未化解',


  'panel.close': '关闭',
  'panel.open': '在办',
  'panel.newToday': '今日新增',
  'panel.heat': '热度',
  'panel.why': '热度构成',
  'panel.part.openCases': '在办案件',
  'panel.part.recentEvents': '近期事件',
  'panel.part.alerts': '预警',
  'panel.topCategories': '主要类型',
  'panel.recentCases': '近期案件',
  'panel.noCases': '暂无案件',
  'panel.loading': '加载中…',
  'panel.error': '无法加载：{message}',
  'panel.schematic': '社区边界为示意',

  'error.network': '网络不可用',
  'error.http': '服务器返回 {status}',
  'error.parse': '数据格式错误',
} as const;

/** Dispatch (consoles) and board (wall) strings live in their own tables, merged here into one key space. */
const zh = { ...zhCore, ...dispatchZh, ...boardZh, ...riskZh, ...leaderZh, ...authZh, ...adminZh, ...reportsZh, ...errorsZh, ...deskZh };
export type MessageKey = keyof typeof zh;

const enCore: Record<keyof typeof zhCore, string> = {
  'app.title': 'Dispute Resolution Command Centre',
  'app.loading': 'Loading…',
  'app.loadFailed': 'Could not load: {message}',
  'app.retry': 'Retry',
  'app.langSwitch': '中文',
  'app.langSwitchLabel': '中文 (switch to Chinese)',

  'view.wall': 'Wall',
  'view.duty': 'Duty desk',
  'view.dept': 'Department desk',
  'view.leader': 'Leader dashboard',
  'view.admin': 'Administration',
  'view.login': 'Sign in',

  'conn.connecting': 'Connecting',
  'conn.live': 'Live',
  'conn.catchingUp': 'Catching up',
  'conn.reconnecting': 'Reconnecting · since {time}',
  'conn.offline': 'Offline · since {time}',
  'conn.asOf': 'Data as of {time}',
  'conn.noData': 'No data yet',

  'counter.newToday': 'New today',
  'counter.open': 'Open cases',
  'counter.resolvedToday': 'Resolved today',
  'counter.resolutionRate': 'Resolved (30 d)',
  'counter.none': '—',

  'chart.category': 'By category (30 days)',
  'chart.source': 'By source (30 days)',
  'chart.hourly': 'New, last 24 hours',
  'chart.daily': '30-day trend',
  'chart.daily.reported': 'New',
  'chart.daily.resolved': 'Resolved',
  'chart.hotspots': 'Top 10 hotspot communities',
  'chart.empty': 'No data yet',

  'metric.heat': 'Heat',
  'metric.open': 'Open',
  'metric.newToday': 'New today',
  'metric.label': 'Map metric',

  'map.legendSchematic': 'Community borders are schematic',
  'map.legendTitle': 'Community {metric}',
  'map.back': 'Whole district',
  'map.backToStreet': 'Back to {street}',
  'map.tourOn': 'Touring · every {seconds} s',
  'map.tourPaused': 'Tour paused · resumes in {seconds} s',
  'map.district': 'District',
  'map.drawing': 'Drawing the map…',

  'ticker.title': 'Live feed',
  'ticker.empty': 'Waiting for events…',
  'ticker.people': '{n, plural, one {# person} other {# people}}',
  'ticker.severity': 'sev. {n}',
  'ticker.resolved': 'Closed',
  'ticker.reported': 'New',
  'ticker.alertTag': '{level} alert',

  'alert.banner': '{level} alert',
  'alert.red': 'Red',
  'alert.orange': 'Orange',
  'alert.yellow': 'Yellow',
  'alert.blue': 'Blue',

  'kind.dispute': 'Dispute',
  'kind.petition': 'Petition',

  'source.grid': 'Grid worker',
  'source.hotline': '12345 hotline',
  'source.walkin': 'Walk-in',
  'source.court': 'Court referral',
  'source.police': '110 police',
  'source.online': 'Online',
  'source.system': 'System',

  'outcome.mediated': 'Mediated',
  'outcome.withdrawn': 'Withdrawn',
  'outcome.litigation': 'To litigation',
  'outcome.unresolved': 'Unresolved',


  'panel.close': 'Close',
  'panel.open': 'Open',
  'panel.newToday': 'New today',
  'panel.heat': 'Heat',
  'panel.why': 'Why this heat',
  'panel.part.openCases': 'Open cases',
  'panel.part.recentEvents': 'Recent events',
  'panel.part.alerts': 'Alerts',
  'panel.topCategories': 'Main categories',
  'panel.recentCases': 'Recent cases',
  'panel.noCases': 'No cases',
  'panel.loading': 'Loading…',
  'panel.error': 'Could not load: {message}',
  'panel.schematic': 'Community borders are schematic',

  'error.network': 'Network unavailable',
  'error.http': 'Server answered {status}',
  'error.parse': 'Malformed data',
};

const en: Record<MessageKey, string> = { ...enCore, ...dispatchEn, ...boardEn, ...riskEn, ...leaderEn, ...authEn, ...adminEn, ...reportsEn, ...errorsEn, ...deskEn };

export const messages: Record<Locale, Record<MessageKey, string>> = { zh, en };

export type MessageParams = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = messages[locale][key];
  if (!params) return text;
  return text.replace(PLURAL, (whole, name: string, forms: string) => plural(locale, params[name], forms) ?? whole).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * `{n, plural, one {# case} other {# cases}}`: the form Intl.PluralRules picks for the locale (`#` is the number),
 * so English never says "1 cases". Forms hold no braces of their own.
 */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const pluralRules = new Map<Locale, Intl.PluralRules>();

function plural(locale: Locale, value: string | number | undefined, forms: string): string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const table = new Map([...forms.matchAll(/(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g)].map((m) => [m[1]!, m[2]!]));
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale === 'zh' ? 'zh-CN' : 'en')));
  const form = table.get(`=${n}`) ?? table.get(rules.select(n)) ?? table.get('other');
  return form?.replace(/#/g, String(value));
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
