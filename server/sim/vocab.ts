/**
 * Tables the simulator draws from. All names are made up from common characters, every firm is "某…" and no
 * address is real, so no real person or business can ever appear on the wall.
 */
import type { CaseSource, Outcome, PetitionForm } from '../../shared/vocabulary.js';

/** Common surnames (百家姓 top of the census list) and given-name characters. */
export const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢钟谭陆汪范金石廖贾夏韦方邹熊邱江严覃'];
export const GIVEN_CHARS = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌鹏辉波宁燕琴丹飞云林海峰晓俊佳欣怡浩宇涵轩婷琪嘉慧豪'];

/**
 * Household-registration prefixes for ID numbers: Shenzhen's own districts and the counties most of its migrant
 * workers come from (Hunan, Hubei, Jiangxi, Guangxi, Sichuan, eastern Guangdong). Prefixes only, no person.
 */
export const ID_REGIONS = ['440307', '440306', '440304', '430524', '430921', '421281', '360730', '452128', '510722', '441424', '441522', '412726', '440881'];

/** Relative frequency of each category among arrivals; codes absent from data/categories.json are skipped. */
export const CATEGORY_MIX: Record<string, number> = {
  family: 16, neighbour: 9, labour: 17, debt: 12, property: 10, housing: 6, land: 8,
  traffic: 9, medical: 3, consumer: 4, finance: 2, gig: 2, other: 2,
};
/** Industrial hotspots see far more wage disputes than the district average. */
export const HOTSPOT_LABOUR_BOOST = 2.5;

/** Where cases come from: grid workers and the 12345 hotline carry most of the load. */
export const SOURCE_MIX: Record<CaseSource, number> = { grid: 30, hotline: 28, walkin: 14, police: 9, court: 9, online: 10 };
/** Category-specific pulls: traffic comes via 110, debt via court referral (诉前调解), and so on. */
export const SOURCE_AFFINITY: Record<string, Partial<Record<CaseSource, number>>> = {
  traffic: { police: 3, court: 1.5 },
  debt: { court: 2.5 },
  family: { court: 1.5, police: 1.3 },
  neighbour: { grid: 1.4 },
  labour: { hotline: 1.3 },
  property: { grid: 1.3, hotline: 1.3 },
  land: { walkin: 1.5 },
  finance: { online: 2, court: 1.5 },
  consumer: { hotline: 1.6, online: 1.5 },
  gig: { online: 1.5, hotline: 1.3 },
};

/** 信访 forms; a letter is logged at the petition bureau's reception, so its intake source is walk-in. */
export const PETITION_FORMS: Record<PetitionForm, number> = { visit: 45, letter: 20, online: 35 };
export const PETITION_SOURCE: Record<PetitionForm, CaseSource> = { visit: 'walkin', letter: 'walkin', online: 'online' };

/** Severity 1–5, skewed low: most disputes are small. */
export const SEVERITY_WEIGHTS = [35, 33, 20, 9, 3];

export const OUTCOME_MIX: Record<Outcome, number> = { mediated: 76, withdrawn: 9, litigation: 10, unresolved: 5 };
export const OUTCOME_NOTES: Record<Outcome, string[]> = {
  mediated: ['经人民调解达成协议', '双方达成和解，已履行', '经调解签订协议书', '行政调解成功'],
  withdrawn: ['当事人撤回申请', '双方自行和解，申请撤回'],
  litigation: ['调解未果，引导诉讼解决', '转法院立案审理'],
  unresolved: ['调解未果，已告知其他救济途径', '暂未化解，持续跟进'],
};

/**
 * Arrivals by local hour relative to the daily mean: quiet at night, peaks 9–11 and 14–17 when offices, grid
 * patrols and the hotline are busiest. Normalised in the generator so the mean is exactly 1.
 */
export const HOURLY_RHYTHM = [0.15, 0.1, 0.08, 0.07, 0.08, 0.12, 0.25, 0.5, 1.1, 1.9, 2.1, 1.8, 0.9, 1.1, 1.8, 2.0, 1.9, 1.4, 0.9, 0.8, 0.75, 0.6, 0.4, 0.25];
/** By local weekday, Sunday first: offices and mediation rooms are thinner at weekends. */
export const WEEKLY_RHYTHM = [0.6, 1.1, 1.05, 1.05, 1.05, 1.05, 0.7];

export const FACTORIES = ['电子厂', '五金厂', '塑胶制品厂', '模具厂', '服装厂', '印刷厂', '家具厂', '包装厂', '玩具厂', '电池厂'];
export const COMPANIES = ['物流公司', '科技公司', '建筑公司', '保洁公司', '餐饮店', '装饰公司', '劳务派遣公司', '快递网点'];

/**
 * Title templates per category, each with who the complaint is against when that is an organisation (otherwise
 * a private person). Placeholders: {factory} {company} {n} (a head count) {amount} (a sum of money).
 * Everything named is "某…", never a real firm or estate.
 */
export const TITLES: Record<string, [title: string, respondent?: string][]> = {
  family: [['离婚后子女抚养费纠纷'], ['赡养老人费用分摊纠纷'], ['夫妻感情不和引发家庭纠纷'], ['遗产继承纠纷'], ['兄弟分家析产纠纷'], ['家庭暴力求助']],
  neighbour: [['邻里漏水纠纷'], ['楼上噪音扰民纠纷'], ['邻里公共通道占用纠纷'], ['宠物犬伤人纠纷'], ['违建遮挡采光引发邻里纠纷'], ['高空抛物引发邻里矛盾']],
  labour: [
    ['某{factory}拖欠{n}名员工工资', '某{factory}'], ['某{factory}员工工伤赔偿纠纷', '某{factory}'], ['某{company}未签劳动合同纠纷', '某{company}'],
    ['某{factory}停工后经济补偿纠纷', '某{factory}'], ['某建筑工地拖欠农民工工资{amount}元', '某建筑劳务公司'], ['某{company}违法解除劳动合同纠纷', '某{company}'],
  ],
  debt: [['民间借贷纠纷（{amount}元）'], ['个人借款逾期未还纠纷'], ['装修款拖欠纠纷'], ['货款拖欠纠纷（{amount}元）', '某贸易公司'], ['合伙经营债务纠纷']],
  property: [
    ['某小区物业费收缴纠纷', '某物业服务公司'], ['某小区电梯长期故障业主投诉', '某物业服务公司'], ['某小区停车管理纠纷', '某物业服务公司'],
    ['业主与物业公共收益纠纷', '某物业服务公司'], ['某小区更换物业引发纠纷', '某小区业主委员会'],
  ],
  housing: [['房屋租赁押金退还纠纷'], ['二手房买卖违约纠纷'], ['城中村出租屋租金纠纷'], ['某楼盘逾期交房纠纷', '某房地产开发公司'], ['房屋质量漏水维修纠纷', '某房地产开发公司']],
  land: [
    ['征地拆迁补偿款纠纷', '某城市更新项目公司'], ['某旧改项目补偿安置纠纷', '某城市更新项目公司'], ['股份合作公司分红纠纷', '某股份合作公司'],
    ['宅基地边界纠纷'], ['集体用地租赁合同纠纷', '某股份合作公司'],
  ],
  traffic: [['电动车与行人碰撞赔偿纠纷'], ['两车追尾事故赔偿纠纷'], ['货车剐蹭事故责任纠纷', '某物流公司'], ['交通事故医疗费垫付纠纷']],
  medical: [['某诊所诊疗后遗症赔偿纠纷', '某诊所'], ['医疗费用争议', '某医院'], ['某医院手术效果纠纷', '某医院']],
  consumer: [['某健身房预付卡退费纠纷', '某健身房'], ['商品质量纠纷', '某商家'], ['某培训机构退费纠纷', '某培训机构'], ['网购商品退换纠纷', '某网店']],
  finance: [['某理财产品兑付纠纷', '某理财公司'], ['信用卡催收纠纷', '某银行信用卡中心'], ['网络贷款催收投诉', '某网络小贷公司']],
  gig: [['外卖骑手劳务报酬纠纷', '某外卖平台公司'], ['网约车司机与平台纠纷', '某网约车平台公司'], ['快递员派件费拖欠纠纷', '某快递网点'], ['骑手配送途中事故赔偿纠纷']],
  other: [['施工噪音扰民投诉', '某建筑公司'], ['异味污染投诉', '某{factory}'], ['公共设施损坏赔偿纠纷']],
};

/** How each source phrases the first line of a description. */
export const SOURCE_PHRASES: Record<CaseSource, string> = {
  grid: '网格员巡查发现', hotline: '12345热线转办', walkin: '当事人来访反映', court: '法院委派诉前调解',
  police: '110警情移交', online: '网上申请',
};

/** Grievances of the recurring petitioners: long-running issues that bring the same person back again and again. */
export const GRIEVANCES: { category: string; text: string }[] = [
  { category: 'land', text: '征地补偿款未足额发放' },
  { category: 'land', text: '旧改安置房分配不公' },
  { category: 'land', text: '股份合作公司分红不公' },
  { category: 'labour', text: '工伤认定久拖未决' },
  { category: 'labour', text: '被拖欠工程款多年' },
  { category: 'housing', text: '所购房屋产权证迟迟未办' },
  { category: 'property', text: '小区规划变更损害业主权益' },
  { category: 'other', text: '对原处理结果不服' },
];

export const BURST_ALERT_TITLES = ['群体性欠薪风险：某{factory}{n}名员工聚集讨薪', '某{factory}{n}名员工集体讨薪，有聚集升级风险'];
export const OTHER_ALERTS: { level: 'yellow' | 'blue'; title: string }[] = [
  { level: 'yellow', title: '某小区业主拟聚集维权' },
  { level: 'yellow', title: '某旧改项目矛盾升级风险' },
  { level: 'blue', title: '重点信访人员动态提示' },
  { level: 'blue', title: '节前欠薪隐患排查提示' },
];

