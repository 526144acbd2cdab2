/** What the simulated centre's people write and choose: names, notes, return reasons, channel habits. */
import type { Channel } from '../../shared/vocabulary.js';

/**
 * The duty officers on shift: each signs in as a demo user duty1, duty2, … in this order (sim/demo-access.ts).
 */
export const DUTY_OFFICERS = ['李明', '王芳', '陈静'];

/** Which mediation channel (三调联动) an officer picks, per category; anything else goes to people's mediation. */
export const CHANNEL_HABITS: Record<string, Partial<Record<Channel, number>>> = {
  family: { people: 8, judicial: 2 },
  neighbour: { people: 9, administrative: 1 },
  labour: { administrative: 7, people: 2, judicial: 1 },
  debt: { judicial: 6, people: 4 },
  property: { people: 5, administrative: 5 },
  housing: { administrative: 5, people: 3, judicial: 2 },
  land: { administrative: 8, people: 2 },
  traffic: { administrative: 3, people: 3, judicial: 4 },
  medical: { administrative: 5, people: 3, judicial: 2 },
  consumer: { administrative: 7, people: 3 },
  finance: { judicial: 5, administrative: 5 },
  gig: { administrative: 6, people: 4 },
};

/** Notes on triage; the officer says "many people" only when there are, and "act fast" only on serious cases. */
export const TRIAGE_NOTES = {
  any: ['已电话联系申请人核实情况', '情况已核实，按属地分流'],
  many: ['涉及人数较多，请重点关注', '群体性苗头，注意稳控'],
  severe: ['当事人情绪激动，需尽快介入', '矛盾有激化风险，请优先处置'],
};

export const WHISTLE_NOTES = ['请按时限报到并联系当事人', '请牵头单位组织联合调处', '请协办单位配合做好稳控工作', '请尽快到场核实处置'];

export const PROGRESS_NOTES = [
  '已联系双方当事人，约定到调解室面谈',
  '已到现场核实情况，正在组织调解',
  '已调取相关合同及往来记录',
  '双方初步达成调解意向，待签署协议',
  '已组织第一次调解，双方分歧较大，择期再调',
  '已会同社区网格员上门走访',
  '已告知当事人相关法律规定及救济途径',
];

export const LABOUR_PROGRESS_NOTES = ['已约谈用人单位负责人，责令限期支付工资', '已协调用人单位先行支付部分工资', '已核对考勤及工资台账'];

/** A lead that returns a whistle names who should lead instead ({dept}); the officer reads it when re-whistling. */
export const RETURN_REASONS = [
  '不属于本部门职责范围，建议由{dept}牵头',
  '经核实，该事项主要涉及{dept}职能，请重新分派',
  '涉及{dept}审批事项，建议由其牵头处理',
];

export const RETURN_REASONS_UNADDRESSED = ['当事人联系方式有误，无法核实，请补充材料后重新分派', '诉求内容不清，请核实后重新分派'];

export const CONFIRM_NOTES = ['调解协议已申请司法确认', '法院已出具司法确认裁定'];

export const FOLLOW_UP_NOTES: Record<'satisfied' | 'neutral' | 'dissatisfied', string[]> = {
  satisfied: ['电话回访，当事人对处理结果表示满意', '回访确认协议已履行，当事人满意'],
  neutral: ['电话回访，当事人基本认可处理结果', '回访时当事人表示尚可，仍有少量意见'],
  dissatisfied: ['回访时当事人表示不满意，要求重新处理', '协议未履行，当事人不满意'],
};
