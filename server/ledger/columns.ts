/**
 * The ledger's (台账) column layout and vocabulary: the columns of an export in the order a court or justice bureau
 * ledger keeps them (Chinese headers, English with lang=en), and the reverse: which import column holds which field,
 * and which code a label in a cell stands for (the labels of codes are server/labels.ts's, the wording of the
 * consoles, and the names in data/). The export's own headers and labels (both languages) map back fully, so an
 * exported ledger imports without manual mapping.
 */
import type { ColumnMapping, LedgerField } from '../../shared/ledger.js';
import { caseKinds, caseSources, outcomes, type CaseKind, type CaseSource, type Localized, type Outcome } from '../../shared/vocabulary.js';
import type { DistrictData } from '../district-data.js';
import { kindLabels, outcomeLabels, sourceLabels } from '../labels.js';

type Labels<K extends string> = Record<K, Localized>;

export const yesNo = { yes: { zh: '是', en: 'Yes' }, no: { zh: '否', en: 'No' } };

/** One column of the export; `field` is what the column imports as (the rest are lifecycle facts the log derives). */
export interface LedgerColumn {
  key: string;
  zh: string;
  en: string;
  field?: LedgerField;
  date?: boolean;
  width: number;
}

export const ledgerColumns: readonly LedgerColumn[] = [
  { key: 'no', zh: '序号', en: 'No.', width: 7 },
  { key: 'caseId', zh: '案件编号', en: 'Case ID', width: 38 },
  { key: 'source', zh: '来源', en: 'Source', field: 'source', width: 11 },
  { key: 'sourceRef', zh: '来源编号', en: 'Source ref', field: 'sourceRef', width: 24 },
  { key: 'reportedAt', zh: '登记时间', en: 'Reported at', field: 'reportedAt', date: true, width: 17 },
  { key: 'kind', zh: '类型', en: 'Kind', field: 'kind', width: 9 },
  { key: 'category', zh: '纠纷类别', en: 'Category', field: 'category', width: 16 },
  { key: 'street', zh: '街道', en: 'Street', field: 'street', width: 11 },
  { key: 'community', zh: '社区', en: 'Community', field: 'community', width: 13 },
  { key: 'title', zh: '事项', en: 'Matter', field: 'title', width: 40 },
  { key: 'applicant', zh: '当事人(申请人)', en: 'Applicant', field: 'applicant', width: 14 },
  { key: 'respondent', zh: '被申请人', en: 'Respondent', field: 'respondent', width: 14 },
  { key: 'people', zh: '涉及人数', en: 'People involved', field: 'peopleInvolved', width: 9 },
  { key: 'severity', zh: '严重程度', en: 'Severity', field: 'severity', width: 9 },
  { key: 'tier', zh: '层级', en: 'Tier', width: 7 },
  { key: 'channel', zh: '调解渠道', en: 'Mediation channel', width: 11 },
  { key: 'whistledAt', zh: '吹哨时间', en: 'Whistled at', date: true, width: 17 },
  { key: 'lead', zh: '牵头部门', en: 'Lead department', width: 20 },
  { key: 'assists', zh: '协办部门', en: 'Assisting departments', width: 28 },
  { key: 'reportedInAt', zh: '报到时间', en: 'Reported in at', date: true, width: 17 },
  { key: 'onTime', zh: '是否按时报到', en: 'Reported in on time', width: 8 },
  { key: 'supervisions', zh: '督办次数', en: 'Supervisions', width: 8 },
  { key: 'escalations', zh: '升级次数', en: 'Escalations', width: 8 },
  { key: 'resolvedAt', zh: '办结时间', en: 'Resolved at', field: 'resolvedAt', date: true, width: 17 },
  { key: 'outcome', zh: '办理结果', en: 'Outcome', field: 'outcome', width: 10 },
  { key: 'satisfaction', zh: '满意度', en: 'Satisfaction', width: 7 },
  { key: 'status', zh: '当前状态', en: 'Status', width: 11 },
];

/**
 * Header texts each field is recognised by, most specific first (compared after `normalizeHeader`). The export's
 * own headers come first; `案件编号` (a case id of some system) is the ledger number only when nothing better is there.
 */
const headerSynonyms: Record<LedgerField, readonly string[]> = {
  sourceRef: ['来源编号', 'Source ref', 'sourceRef', '原始编号', '台账编号', '登记编号', '受理编号', '纠纷编号', '编号', '案号', 'ref', 'reference', 'ledger no', '案件编号', 'case id'],
  source: ['来源', 'Source', '案件来源', '纠纷来源', '来源渠道'],
  reportedAt: ['登记时间', 'Reported at', 'reportedAt', '登记日期', '受理时间', '受理日期', '上报时间', '报告时间', '发生时间', 'date'],
  kind: ['类型', 'Kind', '案件类型', '事项类型'],
  category: ['纠纷类别', 'Category', '纠纷类型', '矛盾类别', '矛盾类型', '类别'],
  street: ['街道', 'Street', '所属街道', '街道办', 'streetCode'],
  community: ['社区', 'Community', '所属社区', 'communityCode'],
  title: ['事项', 'Matter', 'title', '纠纷事项', '事由', '简要案情', '案情', '标题'],
  description: ['描述', 'description', '案情描述', '纠纷详情', '详情', '备注'],
  severity: ['严重程度', 'Severity', '风险等级', '等级'],
  peopleInvolved: ['涉及人数', 'People involved', 'peopleInvolved', '涉及人员数', '人数', 'people'],
  applicant: ['当事人(申请人)', 'Applicant', '申请人', '当事人', '申请方'],
  respondent: ['被申请人', 'Respondent', '被申请方', '对方当事人'],
  outcome: ['办理结果', 'Outcome', '调解结果', '化解结果', '处理结果', '结果', 'result'],
  resolvedAt: ['办结时间', 'Resolved at', 'resolvedAt', '办结日期', '结案时间', '结案日期'],
};

/** Case, width and spacing of a header or label never matter: 当事人（申请人） is 当事人(申请人). */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-*:：]/g, '');
}

/** A mapping guessed from the headers: each field gets the first header that one of its synonyms names, once. */
export function suggestMapping(headers: readonly string[]): ColumnMapping {
  const byText = new Map<string, string>();
  for (const h of headers) {
    const key = normalizeHeader(h);
    if (key && !byText.has(key)) byText.set(key, h);
  }
  const used = new Set<string>();
  const mapping: ColumnMapping = {};
  for (const field of Object.keys(headerSynonyms) as LedgerField[]) {
    for (const synonym of headerSynonyms[field]) {
      const header = byText.get(normalizeHeader(synonym));
      if (header !== undefined && !used.has(header)) {
        mapping[field] = header;
        used.add(header);
        break;
      }
    }
  }
  return mapping;
}

/** Codes by their labels (both languages) and by themselves, for the cells of an imported ledger. */
export interface Vocabulary {
  source(text: string): CaseSource | undefined;
  kind(text: string): CaseKind | undefined;
  outcome(text: string): Outcome | undefined;
  category(text: string): string | undefined;
  street(text: string): string | undefined;
  /** A community by code, or by name inside the street (names repeat across streets). */
  community(text: string, streetCode: string): { code: string; streetCode: string } | { elsewhere: string } | undefined;
}

function lookup<K extends string>(codes: readonly K[], labels: Labels<NoInfer<K>>, extra: Record<string, K> = {}): (text: string) => K | undefined {
  const map = new Map<string, K>();
  for (const code of codes) {
    map.set(normalizeHeader(code), code);
    map.set(normalizeHeader(labels[code].zh), code);
    map.set(normalizeHeader(labels[code].en), code);
  }
  for (const [text, code] of Object.entries(extra)) map.set(normalizeHeader(text), code);
  return (text) => map.get(normalizeHeader(text));
}

export function vocabulary(district: DistrictData): Vocabulary {
  const categories = new Map<string, string>();
  for (const c of district.categories) {
    for (const text of [c.code, c.name.zh, c.name.en]) categories.set(normalizeHeader(text), c.code);
  }
  const streets = new Map<string, string>();
  const bare = (name: string) => name.replace(/(街道|街道办事处|镇)$/, '');
  for (const s of district.info.streets) {
    for (const text of [s.code, s.name, bare(s.name), s.nameEn ?? '']) if (text) streets.set(normalizeHeader(text), s.code);
  }
  const communitiesByName = new Map<string, Array<{ code: string; streetCode: string; name: string }>>();
  for (const c of district.info.communities) {
    for (const text of new Set([c.name, c.name.replace(/社区$/, '')])) {
      const key = normalizeHeader(text);
      communitiesByName.set(key, [...(communitiesByName.get(key) ?? []), c]);
    }
  }
  return {
    source: lookup(caseSources, sourceLabels, { 热线: 'hotline', '12345': 'hotline', 网格: 'grid', 法院: 'court', 公安: 'police', '110': 'police', 网络: 'online', 来信来访: 'walkin' }),
    kind: lookup(caseKinds, kindLabels, { 纠纷: 'dispute', 矛盾: 'dispute' }),
    outcome: lookup(outcomes, outcomeLabels, { 调解成功: 'mediated', 成功: 'mediated', 已化解: 'mediated', 化解: 'mediated', 撤诉: 'withdrawn', 诉讼: 'litigation', 调解不成: 'unresolved', 未调成: 'unresolved' }),
    category: (text) => categories.get(normalizeHeader(text)),
    street: (text) => streets.get(normalizeHeader(text)),
    community: (text, streetCode) => {
      const byCode = district.community(text.trim());
      if (byCode) return byCode.streetCode === streetCode ? { code: byCode.code, streetCode } : { elsewhere: byCode.streetCode };
      const named = communitiesByName.get(normalizeHeader(text));
      if (!named) return undefined;
      const here = named.find((c) => c.streetCode === streetCode);
      return here ? { code: here.code, streetCode } : { elsewhere: named[0]!.streetCode };
    },
  };
}
