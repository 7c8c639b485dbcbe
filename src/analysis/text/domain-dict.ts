/**
 * Domain words for B2B industrial / FMCG sales talk, added to jieba's dictionary so they come
 * out as single tokens (交期, 账期, 国产替代 …). `loadDomainWords` in tokenize.ts accepts more.
 *
 * The dictionary jieba is created with is fixed: DOMAIN_WORDS plus the Chinese terms of the
 * built-in concern taxonomy (so that "款到发货", "春节前" are tokens and the concern engine's
 * word-boundary check does not reject them). It never depends on tenant data, so segmentation
 * (and everything built on it: keywords, hashed embeddings) is the same in every process.
 */
import { builtinTaxonomy } from '../taxonomy/builtin.js';

export const DOMAIN_WORDS: readonly string[] = [
  // delivery / supply
  '交期', '交货期', '货期', '到货', '到货期', '发货', '现货', '期货', '备货', '库存', '安全库存', '断货', '缺货',
  '断供', '保供', '供货', '排产', '排期', '产能', '拖期', '延期', '加急', '急单', '分批交付', '分批交货', '准交率',
  '准时率', '起订量', '最小起订量', '补货', '压货', '临期', '效期', '到港', '缺料', '缺芯',
  // price / budget / terms
  '账期', '预付款', '尾款', '质保金', '保证金', '月结', '季结', '票期', '承兑', '电汇', '专票', '普票', '增票', '税点',
  '含税', '不含税', '违约金', '底价', '让利', '返点', '返利', '进场费', '条码费', '陈列费', '年框', '框架协议',
  '降本', '降本增效', '超预算', '回本', '回收期', '投入产出比', '性价比', '动销', '窜货', '区域保护',
  // decision / procurement
  '招标', '投标', '邀标', '比选', '询价', '比价', '集采', '上会', '报批', '立项', '拍板', '入围', '准入',
  '供应商名录', '合格供应商',
  // localisation / compliance
  '国产替代', '国产化', '进口替代', '信创', '自主可控', '卡脖子', '等保', '等保测评', '等保三级', '等保二级',
  '密评', '国密', '数据出境', '个保法', '私有化部署', '本地化部署', '合规', '3C认证', '防爆认证',
  // service / implementation / product
  '维保', '售后', '上门', '驻场', '备件', '备品备件', '响应时间', '技术支持', '服务网点', '实施周期', '上线',
  '停产', '停线', '停机', '试运行', '调试', '联调', '产线', '量产', '非标', '非标定制', '来图加工', '打样', '选型', '工况',
  '图纸', '公差', '良率', '不良率', '二次开发', '利旧', '迁移', '数据迁移', '切换成本',
  // acronyms commonly spoken inside Chinese sentences
  'PLC', 'MOQ', 'ERP', 'MES', 'WMS', 'SCADA', 'DCS', 'OEM', 'ODM', 'ROI', 'SLA', 'KPI', 'TCO', 'SKU',
];

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]/;

let preload: Set<string> | undefined;

/** Every word jieba is created with (DOMAIN_WORDS + the built-in taxonomy's Chinese terms). */
export function preloadedWords(): ReadonlySet<string> {
  if (!preload) {
    const words = new Set<string>();
    for (const w of DOMAIN_WORDS) words.add(w);
    for (const c of builtinTaxonomy.codes) {
      for (const set of [c.triggers.zh, c.triggers.en]) {
        for (const raw of [...(set?.strong ?? []), ...(set?.weak ?? [])]) {
          const w = raw.trim().toLowerCase();
          if (w.length >= 2 && HAN.test(w) && !/\s|\*/.test(w)) words.add(w);
        }
      }
    }
    preload = words;
  }
  return preload;
}
