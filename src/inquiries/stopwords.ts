/**
 * Stop words for inquiry keywords, Chinese and English.
 *
 * Three kinds: pleasantries and inquiry boilerplate ("你好", "请问", "想了解", "咨询一下",
 * "贵公司", "hello", "please", "interested"); generic function words (pronouns, particles,
 * prepositions, auxiliaries, question words); and generic business words that appear in almost
 * every inquiry and name no topic ("产品", "公司", "方案", "information", "product"). A stop word
 * never becomes a term and ends an English noun phrase.
 *
 * Multi-character Chinese entries that jieba splits ("想了解" → 想 / 了解, "贵公司" → 贵 / 公司)
 * are matched by `extractTerms` after joining adjacent tokens, so they are listed whole here.
 * Keys are normalised (half-width, lowercase); use `isStopWord` for arbitrary input.
 */
import { normalizeText } from '../analysis/text/normalize.js';

const ZH = `
你好 您好 你们好 大家好 哈喽 嗨 喂 早上好 下午好 晚上好 在吗 在不在 打扰 打扰了 打扰一下 不好意思
请问 请问一下 请教 请教一下 问一下 想问 想问一下 问问 咨询 咨询一下 想咨询 想咨询一下 了解 了解一下 想了解 想了解一下
想知道 想要 想找 想买 需要 需求 要求 希望 麻烦 麻烦您 麻烦你 帮忙 帮忙看看 帮我 看看 看一下 介绍 介绍一下
联系 联系方式 联系我 联系电话 电话 手机 微信 邮箱 官网 网站 网址 链接 留言 回复 回电 尽快 尽快回复 发给 发送 发一下 发我 告诉 告知
谢谢 谢谢你 谢谢您 多谢 感谢 非常感谢 辛苦 辛苦了 期待 期待回复 祝好 此致 敬礼 好的 可以 行 嗯 哦 啊 呢 吧 吗 呀 哈
贵公司 贵司 贵方 你司 你们公司 我司 我们公司 本公司 公司 企业 单位 厂里 我方
我 我们 咱们 你 你们 您 他 他们 她 她们 它 它们 大家 自己 别人 人家 对方
的 地 得 了 着 过 和 与 及 以及 或 或者 还是 而且 并且 但是 但 不过 然后 所以 因为 如果 虽然 而 并 则 就 都 也 还 又 再 才 只 很 太 更 最 非常 比较 特别 一直 已经 正在 马上 目前 现在 刚刚 之前 之后 以后 以前 今天 明天 昨天 今年 明年 最近 近期 一下 一些 一点 有点 有些 这些 那些 这个 那个 这样 那样 这种 那种 这边 那边 这里 那里 这次 此次 本次 上次 下次
是 有 没有 有没有 是不是 是否 满足 符合 达到 实现 解决 处理 防止 避免 另外 此外 太高 太低 能 能否 能不能 会 会不会 可不可以 可否 要 要不要 应该 必须 得到 进行 做 做到 用 使用 提供 支持 包括 包含 关于 对于 针对 根据 按照 通过 如何 怎么 怎样 怎么样 如何是好 什么 哪些 哪个 哪里 哪家 为什么 为何 多少 多久 多长时间 多大 几 几个 几天 多 少 大概 大约 左右 一般 通常 具体 相关 有关 其他 其它 等等 等 之类 方面 情况 问题 东西 事情 时候 时间 方式 方法 一个 一家 一种 一次
采购 购买 订购 选购 下单 买 卖 订单 订单号 单号 编号 系统 平台 设备 产品 服务 方案 解决方案 信息 资料 详情 细节 内容 项目 客户 用户 厂家 厂商 供应商 合作 业务 市场 行业 领域 系列 型号 类型 品牌 款 种 台 个 套 件 批 次
`;

const EN = `
hello hi hey dear greetings good morning afternoon evening sir madam mr mrs ms team
please pls plz kindly thank thanks thx regards best sincerely cheers appreciate appreciated
interested interest inquiry enquiry inquire enquire question questions ask asking asked wonder wondering
know let tell send sent share provide provided give get got make made help contact reach reply respond response
need needs want wants like would could should might must may can will shall do does did done doing
looking look see find think hope require required requirement requirements offer offering support supports
run runs running use uses using used buy buying order ordering plan planning work works working
short shorter long longer fast faster quick quicker big bigger small smaller
is are was were be been being am have has had having
a an the this that these those there here it its it's they them their theirs we us our ours you your yours
i me my mine he him his she her hers who whom whose which what when where why how whether
and or but nor so yet if then than because as while until unless although though also too either neither not no yes
of in on at by for with about against between into through during before after above below to from up down out
off over under again further once any all both each few more most other some such only own same very just
much many lot lots more less quite rather really still even ever around approximately approx roughly about
etc eg ie vs via per new current currently latest available possible able sure ok okay soon later today
tomorrow now already yet maybe perhaps please info information details detail detailed product products
company companies business solution solutions service services unit units piece pieces pcs pc set sets item items
thing things something anything everything way ways kind kinds type types lot one two three first second
`;

export const ZH_STOP_WORDS: ReadonlySet<string> = new Set(ZH.split(/\s+/).filter(Boolean));
export const EN_STOP_WORDS: ReadonlySet<string> = new Set(EN.split(/\s+/).filter(Boolean));

/**
 * Chinese stop words are matched whole; English ones as one lowercase word (contractions such as
 * "don't" and "we'll" count as stop words too).
 */
export function isStopWord(word: string): boolean {
  const w = normalizeText(word).trim();
  if (w.length === 0) return true;
  if (ZH_STOP_WORDS.has(w) || EN_STOP_WORDS.has(w)) return true;
  return /^[a-z]+'[a-z]+$/.test(w);
}
