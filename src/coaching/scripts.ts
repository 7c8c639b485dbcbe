import type { CoachingSettings } from './settings.js';

/**
 * A small built-in script library: what to say when a customer raises each concern of the
 * DESIGN.md taxonomy, in Chinese and English. Tenants add their own in settings.scripts.
 */
export interface Script {
  code: string;
  title: string;
  text: string;
  language: 'zh' | 'en';
  source: 'builtin' | 'tenant';
}

const BUILTIN: Record<string, { zh: [string, string]; en: [string, string] }> = {
  delivery_supply: {
    zh: ['交期顾虑：先承诺再给证据', '“您最晚哪天必须到货？我按这个倒排：现货部分本周发，余量分两批，每批发货前一天我跟您确认。这是我们近三个月的准时交付率。”'],
    en: ['Delivery worry: commit, then prove it', '"What is the latest date you need the goods? I will plan back from it: stock ships this week, the rest in two lots, and I confirm each one the day before. Here is our on-time rate for the last three months."'],
  },
  price_budget: {
    zh: ['价格顾虑：先问预算结构，再给分档方案', '“您这次的预算大概在什么范围？我按预算给您两到三档配置，每档能解决哪些问题我都列清楚，您选最合适的。”'],
    en: ['Price worry: ask about the budget, then offer tiers', '"Roughly what budget are you working with? I will put two or three configurations against it and show what each one solves, so you can pick the best fit."'],
  },
  competitor: {
    zh: ['竞品比较：不贬低，聚焦差异', '“您在比较的是哪几家？您最看重哪三项？我们按这三项做一张对比表，用数据说话。”'],
    en: ['Competitor comparison: no bashing, focus on differences', '"Which vendors are you comparing, and which three things matter most? Let us put them side by side on exactly those three."'],
  },
  security_compliance: {
    zh: ['数据安全：给资质与清单', '“我们通过了等保三级，数据存储在境内。我把合规清单和审计报告发您，您们的安全部门关心哪些条款，我们逐条对。”'],
    en: ['Data security: credentials and a checklist', '"We are certified and keep data in-region. I will send the compliance checklist and audit report; tell me which clauses your security team cares about and we go through them one by one."'],
  },
  implementation_risk: {
    zh: ['实施风险：拆里程碑', '“上线我们分三个里程碑，每个都有验收标准；对接您现有系统的部分我们先做一个两周的试点。”'],
    en: ['Rollout risk: break it into milestones', '"We go live in three milestones, each with acceptance criteria, and start the integration with a two-week pilot."'],
  },
  decision_process: {
    zh: ['决策流程：画出决策链', '“这件事除了您，还需要哪些部门点头？流程大概怎么走？我帮您准备每个环节需要的材料。”'],
    en: ['Decision process: map the buying group', '"Besides you, who else needs to sign off, and how does the process run? I will prepare what each step needs."'],
  },
  domestic_substitution: {
    zh: ['国产替代：讲兼容与案例', '“我们在同行业有替代进口设备的案例，参数对照表和切换方案我发您。”'],
    en: ['Replacing imports: compatibility and references', '"We have replaced imported equipment at peers in your industry; I will send the spec comparison and the switch-over plan."'],
  },
  service_support: {
    zh: ['售后顾虑：把响应承诺写进合同', '“我们的响应时间是 4 小时，48 小时内上门，这些可以写进服务协议。”'],
    en: ['After-sales worry: put response times in the contract', '"Our response time is 4 hours with on-site support within 48 hours, and we can write that into the service agreement."'],
  },
  roi_value: {
    zh: ['ROI 顾虑：用客户自己的数字算', '“您现在每月在这块花多少？我们用您的数字算一下回本周期。”'],
    en: ['ROI doubt: calculate with their numbers', '"What do you spend on this each month today? Let us work out the payback period with your own figures."'],
  },
  switching_cost: {
    zh: ['切换成本：给迁移方案', '“现有合同什么时候到期？我们可以按到期时间安排平滑迁移，数据迁移由我们负责。”'],
    en: ['Switching cost: offer a migration plan', '"When does the current contract end? We can time a smooth migration to it and handle the data move ourselves."'],
  },
  contract_terms: {
    zh: ['合同条款：先问底线', '“账期和付款方式您这边的要求是什么？我去内部申请，争取一个双方都能接受的方案。”'],
    en: ['Contract terms: ask for their limits first', '"What payment terms do you need? I will take it to our finance team and come back with something that works for both sides."'],
  },
  product_fit: {
    zh: ['产品匹配：确认参数再承诺', '“您的关键参数是哪几项？我让工程师按您的工况确认一遍，需要定制的部分给您单独报方案。”'],
    en: ['Product fit: confirm specs before promising', '"Which specs are critical for you? I will have an engineer check them against your conditions and quote any customisation separately."'],
  },
};

/** Scripts for a concern code: the tenant's own first, then the built-in ones. */
export function scriptsFor(code: string, settings: CoachingSettings): Script[] {
  const tenant = settings.scripts.filter((s) => s.code === code).map((s) => ({ ...s, source: 'tenant' as const }));
  const b = BUILTIN[code];
  const builtin: Script[] = b
    ? [
        { code, title: b.zh[0], text: b.zh[1], language: 'zh', source: 'builtin' },
        { code, title: b.en[0], text: b.en[1], language: 'en', source: 'builtin' },
      ]
    : [];
  return [...tenant, ...builtin];
}

export const BUILTIN_SCRIPT_CODES = Object.keys(BUILTIN);

/** The whole library for a tenant (built-in codes plus any code the tenant added scripts for), optionally one code. */
export function scriptLibrary(settings: CoachingSettings, code?: string): Script[] {
  const codes = code ? [code] : [...new Set([...BUILTIN_SCRIPT_CODES, ...settings.scripts.map((s) => s.code)])];
  return codes.flatMap((c) => scriptsFor(c, settings));
}
