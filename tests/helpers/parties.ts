/**
 * Parties with personal data of many shapes, for privacy tests: two-, three- and four-character names (a compound
 * surname among them), mobile numbers of several prefixes, one written with dashes and one with +86, 18-character
 * ID numbers ending in a digit, an X and an x, and a 15-character one. `privateCases` puts them in intake events
 * with the numbers in titles and descriptions too, as a hotline operator might type them.
 */
import type { IntakeEventInput } from '../../shared/intake.js';
import { caseReported } from './factories.js';

type Party = { role: 'applicant' | 'respondent' | 'other'; name: string; phone?: string; idNumber?: string };

export const FIXTURE_PARTIES: readonly Party[] = [
  { role: 'applicant', name: '张三丰', phone: '13800001234', idNumber: '440307199001011234' },
  { role: 'respondent', name: '欧阳娜娜', phone: '15912345678', idNumber: '44030719850101002X' },
  { role: 'applicant', name: '李雷', phone: '186-8888-9999', idNumber: '11010119900307457x' },
  { role: 'other', name: '司马光明', phone: '+86 17711112222', idNumber: '440307800101123' },
  { role: 'applicant', name: '韩梅梅', phone: '19955556666' },
  { role: 'respondent', name: '王小二', idNumber: '44030320000229001X' },
];

/** Every name, and every phone and ID number as typed and as bare digits: none may reach an audience without the need. */
export const FIXTURE_SECRETS: readonly string[] = [
  ...new Set(
    FIXTURE_PARTIES.flatMap((p) => [p.name, ...(p.phone ? [p.phone, p.phone.replace(/\D/g, '').replace(/^86/, '')] : []), ...(p.idNumber ? [p.idNumber] : [])]),
  ),
];

export const FIXTURE_NAMES: readonly string[] = FIXTURE_PARTIES.map((p) => p.name);

/** Cases whose parties, titles and descriptions carry the fixture parties' names, phones and ID numbers. */
export function privateCases(overrides: Partial<Extract<IntakeEventInput, { type: 'case.reported' }>> = {}) {
  const [a, b, c, d, e, f] = FIXTURE_PARTIES as [Party, Party, Party, Party, Party, Party];
  return [
    caseReported({ title: `${a.name}反映拖欠工资，电话${a.phone}`, description: `申请人${a.name}，身份证${a.idNumber}，手机${a.phone}；被申请人${b.name}（${b.phone}）`, parties: [a, b], ...overrides }),
    caseReported({ category: 'family', title: `${c.name}与${d.name}邻里纠纷`, description: `联系人${c.name} ${c.phone}，另一方${d.name}，身份证${d.idNumber}`, parties: [c, d], peopleInvolved: 2, severity: 2, ...overrides }),
    caseReported({ category: 'debt', title: `${e.name}借款纠纷 ${e.phone}`, description: `被申请人${f.name}，身份证号${f.idNumber}`, parties: [e, f], peopleInvolved: 2, severity: 4, ...overrides }),
  ];
}
