/**
 * Synonym table for B2B industrial / FMCG sales talk, Chinese and English.
 *
 * Each entry is `canonical term → variants`. Hot keywords are counted per term, so every variant
 * an inquiry uses ("国产化", "信创替代", "import substitution") is stored as the one canonical term
 * ("国产替代") and counts together. English variants map onto the Chinese canonical term where the
 * concept is the same ("lead time" → 交期, "payment terms" → 账期): the first market is Chinese and
 * a bilingual team's inquiries should count in one bucket.
 *
 * `canonical(term)` is the single normalisation of a term (used by `extractTerms` and by anyone
 * matching user input against stored terms): full-width → half-width, case-insensitive,
 * whitespace/hyphen-insensitive for Latin ("Lead-Time" = "lead time"), English plural of the last
 * word folded ("servo drives" → "servo drive"), then looked up here. Terms not in the table come
 * back normalised (lowercase Latin; known acronyms such as PLC, ERP upper-case).
 *
 * Rules the table keeps (checked by the tests): a variant belongs to one canonical term only; no
 * variant is a stop word; Latin keys are lowercase after normalisation.
 */
import { DOMAIN_WORDS } from '../analysis/text/domain-dict.js';
import { normalizeText } from '../analysis/text/normalize.js';

export const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  // ── delivery / supply ────────────────────────────────────────────────────────
  交期: ['交货期', '货期', '到货', '到货时间', '到货期', '交货时间', '交付周期', '交货周期', '供货周期', '发货时间', '多久到货', '多久发货', 'lead time', 'delivery time', 'delivery date', 'delivery lead time', 'turnaround time'],
  现货: ['有现货', '现货供应', 'in stock', 'off the shelf', 'off-the-shelf', 'ex stock'],
  库存: ['存货', '库存量', 'inventory', 'stock level'],
  缺货: ['断货', '缺料', '缺芯', '断供', '供货中断', 'out of stock', 'stockout', 'shortage', 'supply shortage'],
  保供: ['供货保障', '稳定供货', '供货稳定', '保障供应', 'supply security', 'supply continuity', 'supply stability'],
  产能: ['生产能力', '生产产能', 'capacity', 'production capacity'],
  加急: ['急单', '加急订单', '紧急订单', 'urgent', 'urgent order', 'rush order', 'expedite', 'asap'],
  发货: ['出货', '发运', '装运', 'shipment', 'dispatch'],
  物流: ['配送', '运输', '物流配送', 'logistics', 'shipping'],
  运费: ['物流费', '运输费', '运费成本', '邮费', 'shipping cost', 'freight', 'freight cost'],
  冷链: ['冷链物流', '冷藏运输', 'cold chain'],

  // ── price / budget / commercial terms ────────────────────────────────────────
  价格: ['报价', '单价', '价钱', '价', '价位', '售价', '价目', '价格表', '报价单', '价目表', '太贵', 'price', 'pricing', 'quote', 'quotation', 'unit price', 'price list'],
  折扣: ['优惠', '打折', '折让', '让利', '优惠政策', '优惠价', '便宜', '便宜点', '便宜一点', '降价', '砍价', '议价', 'discount', 'volume discount', 'cheap', 'cheaper'],
  返点: ['返利', '返现', 'rebate'],
  账期: ['付款周期', '回款周期', '付款期', '结算周期', '付款条件', '付款方式', '结算方式', '付款账期', 'payment terms', 'payment term', 'credit terms', 'credit period'],
  预付款: ['定金', '订金', '首付款', '预付', 'deposit', 'advance payment', 'prepayment'],
  发票: ['开票', '专票', '普票', '增票', '增值税发票', '增值税专用发票', 'invoice', 'vat invoice', 'fapiao'],
  含税: ['含税价', '含税价格', 'tax included', 'including tax', 'tax inclusive'],
  税点: ['税率', '税费', '税', 'tax rate'],
  预算: ['经费', '采购预算', 'budget'],
  降本: ['降本增效', '降低成本', '成本优化', '节约成本', 'cost reduction', 'cost saving', 'cost down'],
  ROI: ['投资回报', '投资回报率', '投入产出比', '回本', '回收期', '回本周期', 'return on investment', 'payback', 'payback period'],
  性价比: ['value for money', 'cost performance', 'cost effectiveness', 'cost-effective'],
  MOQ: ['起订量', '最小起订量', '最低起订量', '起订数量', '最小订单量', '最小订货量', 'minimum order quantity', 'minimum order', 'min order'],
  样品: ['样机', '打样', '试样', '小样', '样件', 'sample', 'free sample', 'prototype'],
  合同: ['签合同', '框架协议', '年框', '采购合同', 'contract', 'agreement', 'framework agreement'],

  // ── procurement / channel ────────────────────────────────────────────────────
  招标: ['投标', '邀标', '比选', '招投标', '标书', '公开招标', 'tender', 'bidding', 'bid', 'rfp', 'request for proposal'],
  询价: ['比价', '询比价', 'rfq', 'request for quotation', 'price comparison'],
  集采: ['集中采购', '统一采购', 'centralized procurement', 'centralised procurement', 'group purchasing'],
  准入: ['供应商准入', '合格供应商', '供应商名录', '入围', '供应商认证', 'vendor qualification', 'supplier qualification', 'approved vendor list', 'avl'],
  代理: ['代理商', '经销', '经销商', '分销', '分销商', '加盟', '总代', 'distributor', 'dealer', 'reseller', 'distributorship'],
  区域保护: ['区域独家', '独家代理', '区域代理', 'exclusive territory', 'exclusivity'],
  窜货: ['串货', '跨区窜货', '跨区销售', 'grey market', 'gray market'],
  进场费: ['进店费', '上架费', '条码费', '陈列费', 'slotting fee', 'listing fee'],
  动销: ['终端动销', 'sell through', 'sell-through', 'sell out'],
  铺货: ['铺市', '渠道铺货', 'distribution coverage'],
  促销: ['促销活动', '推广活动', '买赠', 'promotion', 'promo'],
  保质期: ['效期', '有效期', '临期', '临期品', 'shelf life', 'expiry date', 'expiration date', 'best before'],
  包装: ['包装规格', '外包装', '包材', 'packaging'],
  OEM: ['贴牌', '代工', '贴牌加工', 'own brand', 'private label'],

  // ── localisation / compliance / security ─────────────────────────────────────
  国产替代: ['国产化', '国产替换', '信创替代', '进口替代', '国产化替代', '国产化替换', '国产化改造', 'domestic substitution', 'import substitution', 'domestic alternative'],
  信创: ['信创产品', '信息技术应用创新', 'xinchuang'],
  自主可控: ['安全可控', '自主安全可控'],
  等保: ['等级保护', '网络安全等级保护', '等保测评', '等保三级', '等保二级', '等保2.0', 'mlps', 'classified protection'],
  数据安全: ['数据保护', '数据隐私', '信息安全', '隐私保护', 'data security', 'data protection', 'data privacy', 'information security'],
  个保法: ['个人信息保护法', 'pipl', 'personal information protection law'],
  GDPR: ['general data protection regulation'],
  数据出境: ['数据跨境', '跨境传输', '数据跨境传输', 'cross-border data transfer', 'data export'],
  私有化部署: ['本地化部署', '本地部署', '私有部署', '私有云', 'on-premise', 'on premise', 'on-prem', 'on premises', 'private deployment', 'on-premise deployment', 'on-prem deployment', 'local deployment', 'self-hosted'],
  合规: ['合规性', '合规要求', 'compliance', 'regulatory compliance'],
  认证: ['资质', '资质认证', '证书', '产品认证', 'certification', 'certificate'],
  国密: ['国密算法', '商用密码', '密评', '密码测评'],

  // ── service / implementation ─────────────────────────────────────────────────
  售后: ['售后服务', '维保', '维修保养', '维修', '售后支持', 'after-sales', 'after sales', 'after-sales service', 'maintenance', 'repair'],
  质保: ['保修', '质保期', '保修期', 'warranty', 'warranty period', 'guarantee'],
  技术支持: ['技术服务', '技术指导', 'technical support', 'tech support', 'engineering support'],
  现场服务: ['上门', '上门服务', '驻场', '驻场服务', 'on-site service', 'onsite service', 'on-site support', 'field service'],
  响应时间: ['响应速度', '到场时间', '响应时效', '售后响应', '售后响应时间', 'response time'],
  SLA: ['服务水平协议', 'service level agreement'],
  备件: ['备品备件', '备品', '配件', '易损件', 'spare parts', 'spare part', 'spares', 'replacement parts'],
  安装调试: ['安装', '调试', '联调', '安装服务', '现场调试', 'installation', 'commissioning'],
  培训: ['操作培训', '使用培训', '技术培训', 'training'],
  实施周期: ['实施时间', '上线时间', '实施工期', 'implementation time', 'implementation period', 'go-live'],
  接口对接: ['接口', '对接', '系统对接', '系统集成', 'api', 'sdk', 'integration', 'integrate', 'api integration', 'system integration'],
  定制: ['非标', '非标定制', '定制化', '来图加工', '来样定制', '定制开发', 'custom', 'customization', 'customisation', 'customized', 'customised', 'bespoke'],
  数据迁移: ['迁移', '系统迁移', 'data migration', 'migration'],

  // ── product / quality / operations ───────────────────────────────────────────
  PLC: ['可编程控制器', '可编程逻辑控制器', 'programmable logic controller'],
  变频器: ['变频', '变频驱动', 'vfd', 'frequency converter', 'variable frequency drive'],
  HMI: ['触摸屏', '人机界面', 'human machine interface'],
  传感器: ['感应器', 'sensor'],
  MES: ['制造执行系统', 'manufacturing execution system'],
  ERP: ['企业资源计划', 'enterprise resource planning'],
  WMS: ['仓储管理系统', '仓库管理系统', 'warehouse management system'],
  DCS: ['集散控制系统', '分布式控制系统', 'distributed control system'],
  质量: ['品质', '产品质量', '质量保证', 'quality', 'product quality'],
  良率: ['合格率', '成品率', '不良率', '良品率', 'yield', 'yield rate', 'defect rate'],
  选型: ['产品选型', '型号选择', '选型指导', 'model selection', 'product selection', 'sizing'],
  参数: ['技术参数', '规格', '规格参数', '性能参数', '技术规格', 'spec', 'specs', 'specification', 'datasheet', 'data sheet'],
  能耗: ['耗电', '功耗', '节能', '耗电量', 'energy consumption', 'power consumption', 'energy saving'],
  停机: ['停线', '宕机', '故障停机', '停机时间', 'downtime', 'unplanned downtime'],
  停产: ['停产通知', 'end of life', 'eol', 'discontinued'],
};

const HAN_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const HAN_SPACE_RE = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;

/** True when `s` contains a Han character. */
export function hasHanChar(s: string): boolean {
  return HAN_RE.test(s);
}

/**
 * The lookup key of a term: full-width → half-width, ASCII lower-case, trimmed; Latin words
 * separated by single spaces (runs of whitespace, "-" and "_" between them collapse to one
 * space); whitespace between Han characters removed.
 */
export function termKey(term: string): string {
  return normalizeText(term)
    .replace(HAN_SPACE_RE, '$1')
    .replace(/[\s_]*-[\s_-]*|[\s_]+/g, ' ')
    .trim();
}

/** Last words that look plural but are not (or must not be folded). */
const PLURAL_KEEP = new Set([
  'sales', 'goods', 'news', 'series', 'species', 'lens', 'gas', 'bus', 'plus', 'chassis', 'means', 'process', 'access',
  'analysis', 'basis', 'status', 'canvas', 'always', 'perhaps', 'thanks', 'alias', 'atlas', 'bias', 'corpus', 'campus',
  'census', 'consensus', 'focus', 'bonus', 'virus', 'radius', 'versus', 'yes', 'this', 'his', 'its', 'was', 'has', 'does',
  'siemens', 'philips', 'texas', 'mercedes', 'hermes', 'nexus',
  'is', 'us', 'ios', 'windows', 'sms', 'gps', 'aws', 'dns', 'ups', 'bms', 'cms', 'crm', 'rs', 'ls', 'ms',
]);

/** English plural → singular for one lowercase word ("drives" → "drive", "batteries" → "battery"). */
export function singularize(word: string): string {
  if (word.length < 4 || !/^[a-z]+$/.test(word) || PLURAL_KEEP.has(word)) return word;
  if (/(ss|us|is|ics)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(sses|shes|ches|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** A Latin phrase with its last word singularised ("payment terms" → "payment term"). */
function singularPhrase(key: string): string {
  const i = key.lastIndexOf(' ');
  const last = key.slice(i + 1);
  const s = singularize(last);
  return s === last ? key : key.slice(0, i + 1) + s;
}

const lookup = new Map<string, string>();
const acronyms = new Set<string>();
/** Canonical term → its variants' keys (for `variantsOf`). */
const variants = new Map<string, string[]>();

function addKey(key: string, canon: string): void {
  const prev = lookup.get(key);
  if (prev !== undefined && prev !== canon) throw new Error(`synonym table: "${key}" maps to both ${prev} and ${canon}`);
  lookup.set(key, canon);
}

for (const [canon, list] of Object.entries(SYNONYMS)) {
  const keys = [termKey(canon), ...list.map(termKey)];
  for (const k of keys) {
    addKey(k, canon);
    // plural forms of English variants ("servo drives", "payment term") reach the same term
    if (!hasHanChar(k)) addKey(singularPhrase(k), canon);
  }
  variants.set(canon, [...new Set(keys)]);
  if (/^[A-Z][A-Z0-9]+$/.test(canon)) acronyms.add(canon);
}
for (const w of DOMAIN_WORDS) if (/^[A-Z][A-Z0-9]+$/.test(w)) acronyms.add(w);

/**
 * The canonical form of a term: the synonym table's canonical term when the term (or its
 * singular) is a variant, otherwise the normalised term (Latin lower-case with the last word
 * singularised; known acronyms upper-case). Case-, width- and hyphen-insensitive.
 *
 *   canonical('国产化') === '国产替代'; canonical('ＬＥＡＤ-time') === '交期'; canonical('plcs') === 'PLC'
 */
export function canonical(term: string): string {
  const key = termKey(term);
  const hit = lookup.get(key);
  if (hit !== undefined) return hit;
  if (hasHanChar(key)) return key;
  const single = singularPhrase(key);
  const hit2 = lookup.get(single);
  if (hit2 !== undefined) return hit2;
  const upper = single.toUpperCase();
  if (acronyms.has(upper)) return upper;
  return single;
}

/** True when `term` is a canonical term or a variant in the synonym table. */
export function inSynonymTable(term: string): boolean {
  const key = termKey(term);
  return lookup.has(key) || (!hasHanChar(key) && lookup.has(singularPhrase(key)));
}

/** Every key (canonical and variants, normalised) that maps to `canonicalTerm`; [] when unknown. */
export function variantsOf(canonicalTerm: string): readonly string[] {
  return variants.get(canonicalTerm) ?? [];
}

/** All normalised keys of the table (canonical terms and variants). */
export function synonymKeys(): IterableIterator<string> {
  return lookup.keys();
}
