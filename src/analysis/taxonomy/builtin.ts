/**
 * The built-in concern taxonomy (DESIGN.md, "Concern codes"), as plain data.
 *
 * Matching rules (see concerns/compile.ts):
 * - A term with a Han character matches as a substring of the normalised clause, but never
 *   cuts through a jieba word ("售后" does not match inside "出售|后").
 * - Any other term matches whole words ("cost" ≠ "customer"); a trailing `*` makes the last
 *   word a prefix ("discount*" matches discounts, discounted).
 * - Patterns are regular expressions (flags "gi") on the normalised text; `.` is rewritten to
 *   "any character except a clause break", so `.{0,8}` never runs into the next clause.
 * - When matches overlap (also across codes), the longest wins; that is how near-misses are
 *   settled: "别家报价更低" is one competitor match and hides the price word "报价" inside it.
 * - Terms that contain a negation themselves ("没有现货", "不支持", "don't have the budget")
 *   are matched as concerns; the negation rule only looks at negators *outside* the match.
 *
 * Weights: `strong` = an explicit concern on its own; `weak` = a topic word that needs
 * repetition (or company) before it is reported.
 */
import type { Taxonomy } from './schema.js';

const R = String.raw;

export const builtinTaxonomy: Taxonomy = {
  version: '2024.1',
  weights: { strong: 0.6, weak: 0.3 },
  minConfidence: 0.35,
  codes: [
    // -----------------------------------------------------------------------------------------
    {
      code: 'delivery_supply',
      label: { zh: '供应链焦虑', en: 'supply-chain anxiety' },
      description: 'Lead time, stock, capacity, on-time delivery, supply continuity.',
      suggestion: {
        zh: '主动给出分批交付计划与安全库存承诺，附上近三个月准时交付率；确认客户最晚到货日期与用量节奏，必要时提前锁定排产。',
        en: "Offer a phased delivery plan and a safety-stock commitment, share the last three months' on-time delivery rate, and confirm the customer's latest acceptable date and call-off rhythm; reserve production capacity if needed.",
      },
      triggers: {
        zh: {
          strong: [
            '交期', '交货期', '货期', '交货时间', '到货时间', '发货时间', '交付周期', '交付时间', '供货周期',
            '多久能到', '多久到货', '多久发货', '多久能发', '多久能交货', '几天能到', '几天到货', '几天能发',
            '什么时候到货', '什么时候发货', '什么时候能到', '什么时候能发', '啥时候到', '啥时候能到', '啥时候发货',
            '最快什么时候', '最快多久', '最快几天', '现货', '有没有货', '有货吗', '有货没有',
            '断货', '缺货', '没货', '没有货', '没现货', '没有现货', '没库存', '没有库存', '无货', '库存不够', '库存够不够',
            '库存紧张', '货源紧张', '备货', '安全库存', '稳定供货', '供货稳定', '保供', '断供', '停供',
            '产能', '排产', '延期交货', '延迟交货', '交货延迟', '交货延期', '延误', '拖期', '误期',
            '按时交货', '准时交货', '按期交货', '如期交货', '按时到货', '准时到货', '按时交付', '准时交付',
            '到不了', '等不了', '等不起', '耗不起', '供不上', '交不上', '交不了货',
            '加急', '急用', '急要', '急单', '急需', '着急用', '赶工', '赶货', '催货', '分批交货', '分批发货', '分批到货',
            '缺料', '缺芯', '原材料紧张', '原材料涨', '准时率', '准交率', '交付率', '到港', '压货', '库存压力',
            '提前备货', '起订量', '最小起订量', '订货周期', '交货周期', '限产', '限电', '保量', '保供应', '供应紧张',
            '货紧', '抢货', '空运',
          ],
          weak: [
            '库存', '发货', '到货', '交货', '交付', '物流', '运输', '快递', '配送', '供应链', '延期', '延迟',
            '补货', '临期', '效期', '保质期', '时效', '周期太长', '等太久', '仓库', '来不及', '赶不上', '跟不上', '货源', '供货', '旺季'
          ],
        },
        en: {
          strong: [
            'lead time', 'lead times', 'delivery time', 'delivery times', 'delivery date', 'delivery dates',
            'delivery schedule', 'in stock', 'out of stock', 'stock levels', 'stock level', 'backorder*', 'back order*',
            'on time delivery', 'on-time delivery', 'ship date', 'shipping time', 'shipping times', 'how soon',
            'supply shortage', 'shortage', 'shortages', 'allocation', 'production capacity', 'capacity', 'supply chain',
            'late delivery', 'late deliveries', 'delivery delay*', 'delayed shipment*', 'delayed deliver*', 'expedite*',
            'rush order', 'eta', 'buffer stock', 'safety stock', 'supply continuity', 'continuity of supply',
            'stockout*', 'stock-out*', 'sold out', 'minimum order quantity', 'moq', 'turnaround time',
          ],
          weak: [
            'delivery', 'deliveries', 'deliver', 'delivered', 'ship', 'shipping', 'shipment*', 'stock', 'inventory',
            'supply', 'logistics', 'late', 'delay', 'delays', 'delayed', 'arrive', 'arrival', 'warehouse', 'shelf life',
            'availability', 'minimum order',
          ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(上一家|上家|之前那家|之前的供应商|原来的供应商|以前那家|以前的供应商|原来那家|前一家|老供应商|上个供应商|上次|之前|以前|去年).{0,8}(拖|延期|延误|晚了|迟了|耽误|断货|缺货|交不上|供不上|晚到|迟到)`,
            R`拖了(我们)?(一|两|三|四|五|六|七|八|九|十|几|半|好几|\d+)(个)?多?(天|周|星期|礼拜|月)`,
            R`(货|设备|产品|这批|那批|订单|机器|样品|物料|原料|材料|备件库存|这一单|下一批|第一批).{0,6}(多久|多长时间|什么时候|几时|哪天|几天|几周|啥时候|最快).{0,4}(能到|到货|发货|交货|出货|送到|送过来|发出|到(?![期位岗场底时处]))`,
            R`(多久|多长时间|什么时候|啥时候|几天|几周|哪天)(能|可以|才能)?(到货|发货|交货|出货|送到|送货)`,
            R`(能不能|可不可以|能否|是否能|可以|能|保证|确保|务必|一定要|必须)(按时|准时|按期|如期|及时)(交货|交付|发货|到货|供货|到|送到|供应)`,
            R`(会不会|会|怕|担心|万一|要是|就怕|最怕|别又)(延期|延误|拖期|断货|缺货|晚到|交不了|供不上|拖|耽误)`,
            R`(月底|月初|月中|年底|年前|节前|春节前|国庆前|下周|下个月|这个月|本月|这周|本周|\d+号|\d+月|\d+日).{0,6}(能|可以)?(到货|交货|发货|送到|供上|到(?![期位岗场底时处]))(吗|不|没|得了|得上|么)`,
            R`(产能|产量|产线).{0,6}(够不够|跟得上|跟不上|有限|不够|够吗|满了|饱和|紧张)`,
            R`(库存|现货|货源|存货).{0,4}(够不够|够吗|多少|有多少|充足吗|还有吗|紧张|不多|有限)`,
            R`(本地|当地|附近|国内|华南|华东|华北|西南)(有没有|有)(仓|仓库|库存|现货|备货)`,
            R`断了.{0,6}货`,
            // goods not arriving as a condition: "万一钢材没送到", "如果周一到不了"
            R`(要是|如果|万一|一旦|假如|假设)[^,。，!?！？]{0,8}(?<![款钱账票])(没到|没送到|没送来|到不了|送不到|送不过来|晚到|迟到|没按时到|发不出来|供不上)(?![期位岗场底时处])`,
            // goods held up on the way: "上批在海关扣了五天", "清关卡了一周"
            R`(港口|码头|海关|清关|物流园|中转站|中转仓|口岸|路上|港)[^,。，!?！？]{0,4}(压|卡|扣|堵|滞留|耽误|放|停|等)了(快|将近|差不多|足足|整整|好)?(\d+|[一二两三四五六七八九十几半]+)(来)?(个)?多?(天|周|星期|礼拜|月)`,
            // goods late by a stated time: "上回材料迟了一周", "设备拖了半个月"
            R`(货(?!款)|到货|发货|交货|送货|柜子|设备|材料|产品|东西|这批|那批|订单)[^,。，!?！？]{0,4}(晚|迟|拖|延误|慢|耽误)了(快|将近|差不多|足足|整整|好)?(\d+|[一二两三四五六七八九十几半]+)(来)?(个)?多?(天|周|星期|礼拜|月)`,
            // staged or early delivery requests: "能不能分三批发", "先发一部分到工地"
            R`(分批|分几批|分[两三四五]批|分期|按栋|按批|按楼栋|按周|按月|按批次|按进度)[^,。，!?！？]{0,3}(送货|发货|交货|到货|配送|送|发|交|到|供|运)(?![期位岗场底时处款钱费租])`,
            R`先(给我们|给我|帮我们)?(送|发|运)(一半|一部分|一批|几车|一车|一些|部分)`,
            // a date followed by a firm arrival demand: "节前必须到货", "十号之前务必送到"
            R`(月底|月初|月中|上旬|中旬|下旬|年底|年前|节前|号|日|之前|以前|前|中)[^,。，!?！？]{0,3}(一定|必须|务必|最晚|最迟|无论如何|千万)(要|得)?(到货|交货|发货|进场|送到|送过来|到齐|到(?![期位岗场底时处手了]))`,
            // supply shortage: "市场上订不到货", "保证我们的供应", "怕你们又说断货"
            R`(抢|拿|订|调|找|进|买)不到货`,
            R`保(住|证)?(我们|咱们|我)的?(量|货|供应|供货)`,
            R`(别|不要|怕|担心|万一)[^,。，!?！？]{0,12}((又|也)?说没了|(又|也)(没货|断货|缺货|断供))`,
          ],
          weak: [
            R`(\d+|[一二两三四五六七八九十几半]+)(个)?多?(天|周|星期|礼拜|月)(太长|太久|太慢|等不了|来不及|也太|那么久|这么久)`,
            R`(能不能|可不可以|能否|再)(快|提前)(一点|一些|点|些)`,
          ],
        },
        en: {
          strong: [
            R`\b(last|previous|old|current|former|other) (supplier|vendor|distributor|manufacturer)\b.{0,40}\b(late|delay\w*|missed|slipped|short\w*|couldn't deliver|failed to deliver)`,
            R`\b(was|were|been|ran|running|came in|arrived|delivered|shipped) (\w+ ){0,2}(weeks?|months?|days?) (late|behind)\b`,
            R`\bhow (soon|quickly|fast|long)\b.{0,30}\b(deliver\w*|ship\w*|arriv\w*|get (it|them|the \w+|this|that)|receive|have (it|them))\b`,
            R`\bwhen (can|could|will|would|do) (you|we|it|they|the \w+) (ship|deliver|arrive|get here|be delivered|be shipped|receive)\b`,
            R`\b(can|could|will) you (deliver|ship|supply)\b.{0,25}\b(by|before|within|on time|in time)\b`,
            R`\b(run|running|ran|runs) (out|short|low)\b`,
            R`\b(need|needs|needed) (it|them|these|the (?!(number|numbers|quote|answer|proposal|figures?|price|pricing|data|details|info|information|contract|paperwork|documents?|report|deck|offer|draft|specs?)\b)\w+) (by|before|asap|urgently|next week|this week)\b`,
            R`\b(keep|kept) up with (our|the) (demand|volume|orders)\b`,
            R`\b(no|zero|little|limited|not enough|not much|low) (stock|inventory|capacity|supply|availability)\b`,
            // goods held at a port / customs in the past
            R`\b(sat|stuck|got stuck|were held|was held|held up|waited|were delayed|was delayed|got delayed|were detained|was detained)\b.{0,25}\b(at|in) (the )?(\w+ ){0,2}(port|customs|border|dock|docks|terminal)\b`,
            // wanting to know when the goods move: "tell me when the parts arrive"
            R`\b(know|tell (me|us)|confirm|be sure|find out) (exactly )?when (it|they|the \w+|this|that|these|those) (ships?|lands?|arrives?|leaves?|will (ship|land|arrive|leave|be (shipped|delivered))|(is|are) (shipped|delivered|landing|arriving|shipping))\b`,
            R`\b(send|ship|fly|air|move|get) (\w+ ){0,3}by air\b`,
            R`\b(weeks?|days?|months?) (is|are|'s|sounds|seems) (cutting it|a bit|very|pretty|too|really) (close|tight|fine)\b`,
          ],
          weak: [
            R`\b(weeks?|months?) (is|are|sounds|seems) (too long|a long time|long)\b`,
            // people idle for want of goods
            R`\b(line|lines|team|crew|workers|assembly|plant|people|guys|machines?) (\w+ ){0,2}(waiting|standing around|sitting idle|idle|doing nothing)\b`,
          ],
        },
      },
      exclude: {
        zh: [
          R`库存管理|进销存|延期付款|付款延期|延期支付|供货商`,
          // payment-term compounds ("先款后货") and term anchors ("到货后三十天付款")
          R`现款现货|现款提货|款到发货|先款后货|先货后款`,
          R`(到货|收货|验收|发货|交货|货到|开票|到港)(后|之后|以后|起)[^,。，]{0,2}(\d+|[一二两三四五六七八九十]+)(天|日|个月)`,
        ],
        en: [
          R`\bdeliver (value|results|roi|savings)\b`,
          // a term anchor, not a supply worry: "payment sixty days after delivery", "claims within a week of receipt"
          R`\b(days?|weeks?|months?) (from|of|after|upon|following) (the )?(arrival|receipt|delivery|shipment|invoice|acceptance|installation|b/?l|bill of lading)\b.{0,25}`,
        ],
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'price_budget',
      label: { zh: '价格敏感', en: 'price sensitivity' },
      description: 'Price too high, discounts, budget limits.',
      suggestion: {
        zh: '先确认预算范围与决策口径，再给出分档报价（基础/标准/增强）或分期方案；用总拥有成本而不是单价做对比，避免直接降价。',
        en: 'Confirm the budget range and how it is decided, then offer tiered options (basic / standard / plus) or phased purchasing; compare on total cost of ownership rather than unit price, and avoid a straight discount.',
      },
      triggers: {
        zh: {
          strong: [
            '太贵', '贵了', '有点贵', '偏贵', '挺贵', '好贵', '真贵', '昂贵', '不便宜', '价格太高', '价格偏高', '价格高了',
            '报价太高', '报价偏高', '报价高了', '价格有点高', '价格贵', '便宜点', '便宜一点', '便宜些', '再便宜',
            '优惠点', '优惠一点', '多少优惠', '有没有优惠', '折扣', '打折', '打个折', '让利', '让点利', '让一点',
            '降价', '降点价', '降一点', '砍价', '底价', '最低价', '最低多少', '最低能多少', '一口价', '预算', '超预算', '超出预算', '预算有限', '预算不够', '预算紧张', '没预算', '没有预算', '预算不多',
            '没钱', '钱不够', '资金紧张', '资金压力', '经费有限', '经费不够', '花不起', '买不起', '用不起', '承受不了',
            '成本压力', '压成本', '压价', '控制成本', '涨价', '价格涨', '价格战', '价格压力',
          ],
          weak: [
            '价格', '价钱', '报价', '单价', '总价', '费用', '多少钱', '成本', '便宜', '优惠', '降本', '返点', '返利',
            '价位', '贵不贵', '开价', '利润空间', '经费', '进场费', '条码费', '陈列费', '堆头费', ],
        },
        en: {
          strong: [
            'too expensive', 'expensive', 'pricey', 'overpriced', 'over budget', 'over our budget', 'out of our budget',
            'budget', 'budgets', 'tight budget', 'limited budget', 'budget constraints', 'budget constraint', 'discount*',
            'better price', 'lower price', 'best price', 'best offer', 'price cut', 'price reduction', 'cheaper', 'afford',
            'affordable', 'cost too much', 'costs too much', 'too much money', 'price increase', 'price increases',
            'cost pressure', 'cut costs', 'cost cutting', 'too costly', 'costly', 'markup', 'haggle', 'negotiate the price',
          ],
          weak: ['price', 'prices', 'pricing', 'cost', 'costs', 'quote', 'quotation', 'fee', 'fees', 'money', 'spend', 'rebate*', 'cheap'],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(价格|价钱|报价|单价|总价|费用|价位|售价|收费|开价|成本).{0,4}(太|有点|偏|挺|比较|还是|也太|稍微|略|好|这么|那么|很|真)(高|贵)`,
            R`(太|有点|偏|挺|比较|也太|稍微|略|真|好|这么|那么|还是有点|还是|死)贵`,
            R`贵(了|啊|呀|哦|得很|死了|得离谱)`,
            R`(能不能|可不可以|能否|可以|还能不能|还能|有没有|还有没有)(再)?(便宜|优惠|降|少|打折|让|便宜点|打个折)`,
            R`(价格|报价|价钱|单价).{0,6}(能不能|可不可以|还能|有没有|还有没有|可以)(再)?(降|谈|优惠|商量|空间|下调|松动|便宜|少)`,
            R`(预算|资金|经费).{0,4}(有限|不够|紧张|不多|卡得|卡的|紧|超了|只有|就这么多|就那么多|批不了|不足)`,
            R`(只有|最多|顶多|撑死|最多只能|只能)(出|给|花)?(\d+|[一二两三四五六七八九十几百千万]+)(万|块|元|千)`,
            R`(预算|经费|资金|能出|能给|能花)(就|只有|才)(\d+|[一二两三四五六七八九十几百千万]+)(万|块|元|千)`,
            R`(打|给|做)个?(\d|[一二三四五六七八九])?(折|点折扣)`,
            R`(老板|领导|财务|我们|公司)(比较|很|有点|特别|太)?(抠|抠门|精打细算)`,
            R`(这个价|这价格|这个价格|这价|价格|报价)(我们|老板|领导|公司)?.{0,6}(接受不了|承受不了|受不了|扛不住|不能接受|没法接受|批不了|不会同意|下不去手)`,
            R`(价格|报价|价钱|价).{0,4}(没得谈|还能谈|有得谈|能谈|没有商量余地|没商量|谈不谈|还有空间|没空间)`,
            // asking to match a rival's price: "起码跟那家一个价", "和人家的价格看齐"
            R`(跟|和|与)(他们|他家|人家|别家|那家|对方|竞品|友商|同行)的?((价格|价钱|报价|价)(一样|持平|看齐|差不多)|持平|看齐|拉平|齐平|一个价)`,
            // margin points and rebate thresholds as price pressure: "返点才给两个点", "五个点太少", "返利门槛太高"
            // asking the vendor to carry a fee: "陈列费你们能不能承担一半", "促销费能不能分摊一部分"
            R`(进场费|条码费|陈列费|堆头费|上架费|促销费|推广费|费用)[^,。，!?！？]{0,8}(能不能|可不可以|能否|可以|帮忙|帮我们|得|要)?(支持|承担|分摊|补贴|报销|减免|免掉|免了|包了|出一部分|出一点|出点|出一半)`,
            R`(返点|返利|扣点|毛利|利润|点数|折扣|政策|你们|你们家)[^,。，!?！？]{0,4}(才给|只给|就给|才|只有)(\d+|[一二两三四五六七八九十几半]+)个点`,
            R`(\d+|[一二两三四五六七八九十几半]+)个点[^,。，!?！？]{0,4}(说不过去|太少|太低|不够|少了|低了|没法做|不行)`,
            R`(返点|返利|奖励|阶梯|任务|进货|拿货|起订|箱|件|万|台|吨|量)的?门槛[^,。，!?！？]{0,2}(太高|高了|降一降|降低|低一点|低点)`,
          ],
          weak: [R`(报个价|报价单|出个价|报一下价)`],
        },
        en: {
          strong: [
            R`\b(price|pricing|quote|cost|fee|rate)s?\b.{0,20}\b(too|a bit|a little|bit|rather|quite|very|so|pretty|kind of|way too|really) (high|steep|expensive|much|pricey)\b`,
            R`\b(can|could) you (do|give|offer|go|come|get|make it) (any |a )?(better|lower|down|discount|something cheaper|cheaper|a bit lower)\b`,
            R`\b(don't|do not|doesn't|does not|didn't) have (the |a |any |enough |much |that much )?(budget|money|funds)\b`,
            R`\b(no|not enough|not much|limited|tight|small|fixed|smaller) budget\b`,
            R`\bnot (that )?cheap\b`,
            R`\bcome down (on|in) (the )?(price|cost)\b`,
            R`\bout of (our|the|my) (price range|budget|league)\b`,
            R`\b(can't|cannot|can not|couldn't) (afford|justify the (price|cost))\b`,
            R`\b(can't|cannot|can not|couldn't|could not|hard to|difficult to|tough to) justify (paying|spending|the (premium|price|cost|extra)|a premium|that (price|much)|more)\b`,
            // closing the gap to a rival's number: "come within five percent of theirs"
            R`\b(get|come|go|bring it) (down )?(within|to within|closer to|close to) (\w+ ){0,4}(percent|%|points?) of (them|theirs|their (price|quote|offer|number))\b`,
            R`\b(price|pricing|prices|quote|quotation|number|cost|costs|total|figure|figures|amount|bill)\b.{0,20}\b(higher|more) than (what )?(we|i) (planned|budgeted|expected|had in mind|allowed)\b`,
            R`\b(back to|hold|keep|match|same as) last year's (price|pricing|prices|rate|rates|number)\b`,
          ],
        },
      },
      exclude: {
        zh: [
          R`贵(公司|司|方|单位|厂|处|院|校|州|宾|阳|重|族|姓|干)|宝贵|珍贵|名贵|富贵|可贵|难能可贵`,
          // department names and document nouns ("成本部", "费用方案", "价格表")
          R`成本(部|部门|中心|科|处|核算)|费用(方案|明细|清单|报销|标准)|价格(表|清单|目录)|价目表`,
        ],
        en: [R`\bcost (center|centre|code)\b`, R`\b(can't|cannot|can not|couldn't|could not) afford (a |an |any |the |to )?(\w+ )?(shutdown|downtime|delay|delays|outage|outages|mistake|mistakes|risk|disruption|stoppage|wait|stop|lose|miss|be)\b`],
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'competitor',
      label: { zh: '竞品比较', en: 'competitor comparison' },
      description: 'Comparing with other vendors, competing quotes.',
      suggestion: {
        zh: '问清客户在对比哪家、比的是哪些条款；准备同口径对比表（参数、交期、售后、总成本），突出差异化而不是跟价。',
        en: 'Ask which vendor and which terms the customer is comparing; prepare a like-for-like comparison (specs, lead time, service, total cost) and lead with differentiation rather than matching the price.',
      },
      triggers: {
        zh: {
          strong: [
            '别家', '别的厂家', '别的厂', '别的供应商', '别的品牌', '其他家', '其他厂家', '其他供应商', '其他品牌', '其他公司',
            '别人家', '竞品', '竞争对手', '友商', '另一家', '另外一家', '另外几家', '几家对比', '货比三家', '多比几家',
            '比比价', '同类产品', '他们家', '某某', '某家', '别人报价', '别家报价', '报价更低', '报价比你们低',
            '比你们便宜', '比你们低', '比你们快', '比你们好', '比你们家', '价格更低', '更便宜的', '也在谈', '也在看',
            '也在接触', '正在对比', '比较了几家', '已经有报价',
          ],
          weak: [
            '同行', '对手', '对比', '比较一下', '大厂', '大品牌', '西门子', '施耐德', '三菱', '欧姆龙',
            '汇川', '霍尼韦尔', '罗克韦尔', '艾默生', '博世', '台达', '信捷', '在对比', '对比了'
          ],
        },
        en: {
          strong: [
            'competitor', 'competitors', 'competition', "competitor's", 'other vendor', 'other vendors', 'another vendor',
            'other supplier', 'other suppliers', 'another supplier', 'alternative vendor', 'alternative supplier',
            'other options', 'other quotes', 'another quote', 'competing quote', 'competing offer', 'cheaper quote',
            'lower quote', 'better offer', 'better deal', 'shopping around', 'comparing vendors', 'other guys',
            'price match', 'cheaper elsewhere', 'other bids', 'other proposals',
          ],
          weak: [
            'alternatives', 'alternative', 'compare', 'comparing', 'comparison', 'benchmark*', 'siemens', 'abb', 'schneider',
            'rockwell', 'mitsubishi', 'omron', 'honeywell', 'emerson', 'bosch',
          ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(别家|别人家|别的厂家?|别的供应商|其他家|其他厂家|其他供应商|其他品牌|另一家|另外一家|另外一个厂家|同行|友商|竞品|他们家|那家|人家|[a-z甲乙丙丁某]{1,3}(公司|家|厂|品牌)).{0,10}(便宜|低|优惠|折扣|报价|价格|开价|报了|给到|只要|才|送|包|免费|更好|更快|更|交期|承诺|账期)`,
            R`(你们|你家|你们家|你们的)?(价格|报价|交期|产品|服务)?比(别家|别人家|别人|人家|其他家|其他厂家|同行|他们|他们家|那家|友商|竞品|[a-z]{1,3}(公司|家))(.{0,3}(贵|高|便宜|低|慢|快|好|差|强|少|多)(了|一点|不少|很多|些|得多)?)?`,
            R`(某某|xx|某家|某品牌|一家|有家|有一家).{0,4}(报价|报了|给的价|开价|才|只要|给到)`,
            R`(我们|也|还)(还)?在(跟|和|与)?(别家|其他家|几家|另外|别的|其他供应商|其他厂家|同行|两家|三家).{0,4}(谈|聊|接触|对比|比较|看|询价)`,
            R`(跟|和|与)(别家|其他家|他们家|同行|竞品|友商|[a-z]{1,3}(公司|家)).{0,4}(比|对比|比较|差不多|一样)`,
          ],
        },
        en: {
          strong: [
            R`\b(another|other|different|competing|rival|second) (vendor|supplier|company|brand|provider|manufacturer|distributor|firm)s?\b`,
            R`\b(they|vendor|supplier|[a-z]+ (corp|inc|ltd|group))\b.{0,25}\b(quoted|offered|offering|charge|charges|came in)\b.{0,25}\b(lower|less|cheaper|under|below|better)\b`,
            R`\b(match|beat) (their|that|the other|a competitor'?s?|the competitor'?s?) (price|quote|offer)\b`,
            R`\b(also|currently|already) (talking|speaking|evaluating|looking at|considering|comparing)\b.{0,12}\b(other|another|a few|two|three|several|some)\b`,
            R`\b(cheaper|faster|better) (than you|elsewhere)\b`,
            R`\b(you're|you are|your (price|quote) is) (more expensive|pricier|higher|slower) than\b`,
            R`\b(competitor|competitors|other vendor|other supplier|another vendor|another supplier|they|them|their \w+)\b.{0,25}\b(cheaper|lower|less expensive|better price|better deal|undercut\w*)\b`,
            // a rival's quote: "we got an offer from a Korean manufacturer"
            R`\b(quote|offer|bid|proposal|price|prices) from (a|an|another|one other|the other|two|three|several|some) (\w+ ){0,2}(maker|makers|manufacturer|manufacturers|vendor|vendors|supplier|suppliers|company|companies|brand|brands|distributor|distributors|factory|factories|firm|firms|competitor|competitors)\b`,
            // "their bid is eight percent under yours"
            R`\b(percent|%|points?) (below|under|cheaper than|lower than|less than) (you|yours|your (price|quote|number|offer))\b`,
          ],
        },
      },
      exclude: {
        zh: [
          // a rival named only to say it is not being considered: "其他家的方案我们根本没考虑"
          R`(别家|别的|其他|其它|另外|别人家)[^,。，!?！？]{0,12}(都|也|根本|从来|压根)?(没|不|没有|从没|从来没)(有)?(看|考虑|找|谈|接触|联系|问|比|去)`,
          // the product being replaced used as a benchmark, and comparison data as a noun
          R`(跟|和|与)(原来|现在|目前|进口|国外|之前|以前|老)[^,。，!?！？]{0,10}(对比|比较|比一比)|对比(数据|测试|试验|实验|报告|结果|表)`,
        ],
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'security_compliance',
      label: { zh: '安全合规顾虑', en: 'security & compliance concern' },
      description: 'Data security, privacy, certification, regulatory compliance.',
      suggestion: {
        zh: '提供等保/ISO 27001 等资质证明与数据流向说明，邀请客户信息安全或合规负责人参加技术澄清会，必要时提供私有化部署方案与保密协议。',
        en: "Share certifications (ISO 27001, SOC 2, MLPS) and a data-flow description, invite the customer's security or compliance owner to a technical Q&A, and offer on-premise deployment and an NDA/DPA where needed.",
      },
      triggers: {
        zh: {
          strong: [
            '数据安全', '信息安全', '网络安全', '安全合规', '合规', '合规性', '合规要求', '等保', '等级保护', '等保测评',
            '隐私', '个人信息', '个保法', '数据出境', '跨境传输', '数据泄露', '泄露', '泄密', '外泄', '保密协议', '加密',
            '安全审计', '审计', '渗透测试', '漏洞', '私有化部署', '本地化部署', '本地部署', '国密', '密评', '安全认证',
            '网络安全法', '数据安全法', '监管要求', '监管', '3c认证', 'ccc认证', 'ce认证', 'ul认证', '防爆认证', '防爆',
            '环保要求', '环评', '排放标准', '食品安全', '食品级', '检测报告', '质检报告', '合格证', '卫生许可', 'sc认证',
            '安全生产', '安监', '消防验收', 'fda认证', '资质证书', '认证证书', '安全资质',
            // registrations and licences (medical devices, hazardous goods, food)
            '注册证', '医疗器械注册', '许可证', '生产许可', '经营许可', '备案凭证', '危化品', '危险品运输', '押运', '追溯码',
          ],
          weak: ['安全', '认证', '资质', '保密', '国标', '备案', '上云', ],
        },
        en: {
          strong: [
            'data security', 'security', 'privacy', 'gdpr', 'pipl', 'compliance', 'compliant', 'audit', 'audits', 'soc 2',
            'soc2', 'iso 27001', 'iso27001', 'hipaa', 'encryption', 'encrypted', 'data breach', 'breach', 'data leak*',
            'data residency', 'data sovereignty', 'on-prem', 'on prem', 'on premise', 'on-premise', 'on premises',
            'on-premises', 'penetration test*', 'pen test*', 'vulnerabilit*', 'infosec', 'security review',
            'security questionnaire', 'regulatory', 'regulation', 'regulations', 'regulator*', 'cybersecurity',
            'personal data', 'personal information', 'dpa', 'nda', 'ce mark*', 'ul listed', 'ul certification', 'rohs',
            'reach compliance', 'fda', 'haccp', 'food safety', 'food grade', 'food-grade', 'atex', 'explosion proof',
            'msds', 'sds', 'safety data sheet', 'food contact', 'food-contact', 'udi', 'registration certificate', 'hazmat',
          ],
          weak: ['secure', 'safety', 'certification', 'certified', 'certificate*', 'standards', 'cloud', 'access control', 'confidential*'],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(数据|信息|资料|图纸|配方|客户信息|生产数据|工艺参数|我们的数据).{0,6}(安全|泄露|外泄|泄密|出境|传到|放在|存在|存哪|存到|保存在|会不会被|上传|给别人|被看到)`,
            R`(数据|服务器).{0,4}(放|存|部署|在).{0,4}(哪|国外|境外|海外|云上|公有云|你们那)`,
            R`(过|通过|做|满足|符合|有没有|拿到|取得|具备|要求).{0,4}(等保|等级保护|iso\s?27001|iso\s?9001|认证|资质|合规|审计|测评|国密|3c|ce|fda|ul)`,
            R`(监管|审计|合规|信息科|信息部|信息中心|安全部|网安|保密办|质量部|质检).{0,6}(要求|审核|检查|那边|过不了|通不过|不让|不允许|卡|要审)`,
            // documents and licences that must be complete: "证件都齐了吗", "资质得补齐"
            R`(资质|证件|证照|手续|证书|许可证|执照|(?<![保论验见])证)[^,。，!?！？]{0,4}(弄齐|齐不齐|齐全吗|齐吗|要齐|补齐|备齐|是齐的|都齐|齐了吗|全不全)`,
          ],
          // regulators or inspectors being strict: "环保局最近抓得很紧"
          weak: [R`(查|抓|审|盯)得(很|特别|越来越|比较|非常|挺)?(严|紧)`],
        },
        en: {
          strong: [
            R`\bwhere (is|will|would|does) (the |our |your )?data (be )?(stored|hosted|kept|live|go|sit)\b`,
            R`\b(our )?(it|infosec|security|compliance|risk) (team|department|dept|people|folks|officer) (will|would|needs? to|has to|must|wants? to) (review|approve|sign off|check|audit|vet)\b`,
            R`\b(are you|is it|is this|is your \w+) (certified|compliant|audited)\b`,
            R`\b(under|for|per) reach\b|\breach[- ](registration|registered|dossier|svhc|compliant)\b`,
          ],
        },
      },
      exclude: { zh: [R`安全库存`], en: [R`\bsafety stock\b`, R`\bjob security\b`] },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'implementation_risk',
      label: { zh: '实施风险', en: 'implementation risk' },
      description: 'Rollout, integration, downtime, training, project risk of getting the new thing running.',
      suggestion: {
        zh: '给出分阶段实施计划（试点→推广），明确不停产切换窗口、回退方案与培训安排，附同类客户的上线周期与案例。',
        en: 'Lay out a phased rollout (pilot → scale), with a no-downtime cut-over window, a rollback plan and training, and share go-live timelines from similar customers.',
      },
      triggers: {
        zh: {
          strong: [
            '实施周期', '实施难度', '实施风险', '实施', '上线时间', '多久能上线', '多久上线', '上线周期', '部署周期',
            '落地难', '接口对接', '系统对接', '系统集成', '集成', '打通', '联调',
            '影响生产', '影响正常生产', '耽误生产', '影响产线', '试运行', '安装调试', '现场调试', '装机调试', '产线改造',
            '割接', '员工培训', '工人会不会用', '好不好上手', '学习成本', '操作复杂', '太复杂', '用不来',
            '不会用', '学不会', '项目周期', '项目风险', '延期上线', '踩坑', '数据导入', '施工',
            '没人懂', '没有it', '磨合期', '适应期', '配合不了', ],
          // stage nouns that also name payment milestones, past incidents, support visits or
          // the current process ("调试完付尾款", "去年停线一周", "带个调试电脑来", "培训了二十年的老师傅")
          weak: [
            '风险', '复杂', '工作量', '部署', '安装', '上线', '落地', '磨合', '出问题', '折腾', '上手', '对接', '停产', '停线',
            '停机', '停工', '调试', '改造', '培训', '工期', '人手不够',
          ],
        },
        en: {
          strong: [
            'implementation', 'implement', 'implementing', 'rollout', 'roll out', 'roll-out', 'go-live', 'go live',
            'integration', 'integrations', 'integrate', 'integrating', 'deployment', 'onboarding', 'downtime', 'disruption',
            'disrupt', 'disruptive', 'production stop', 'shutdown', 'cutover', 'cut over', 'cut-over',
            'learning curve', 'commissioning', 'installation', 'setup time', 'set-up time', 'ramp up', 'ramp-up',
            'project risk', 'change management', 'user adoption', 'rollback', 'go live date', 'up and running',
          ],
          weak: ['deploy', 'install', 'risk', 'risky', 'complex', 'complicated', 'hassle', 'it team', 'timeline', 'pilot', 'training'],
        },
      },
      exclude: {
        zh: [
          R`对接人|(先|再|跟你|和你|跟您|和您|我们|大家)对接一下|集成电路|集成灶`,
          // a policy taking effect is not a rollout ("新规落地以后")
          R`(集采|政策|新规|规定|文件|标准|价格)[^,。，]{0,2}一?落地`,
        ],
        // documents about installation are a spec request, not rollout risk
        en: [R`\binstallation (guide|guides|manual|manuals|instructions|drawings?|sheet|sheets|video|videos|specs?|details)\b`],
      },
      patterns: {
        zh: {
          strong: [
            R`(会不会|会|怕|担心|万一|要是|能不能不|能否不|尽量不|最好不|不能|千万别|别)(影响|耽误|打断|停|中断)(到)?(生产|产线|出货|交货|正常|运营|业务|工期|上班)`,
            R`(上线|实施|部署|落地|安装|调试|对接|改造|切换|项目|集成).{0,6}(多久|多长时间|几个月|几周|要多久|周期|要多长|工期|风险|难度|复杂|麻烦|顺利|出问题|失败|搞不定|来不及|顺不顺利)`,
            R`(要|得|需要|会)(停|停产|停线|停机)(多久|几天|多长时间|几个小时|吗)`,
            R`(工人|员工|师傅|操作工|老师傅|一线|操作员|同事|人员|年纪大的|我们的人|下面的人).{0,6}(会不会用|学不会|不会用|用不来|上手|培训|适应|接受不了|抵触|会用吗|能学会)`,
            R`(跟|和|与)(我们的?|现有的?|原来的?)?(erp|mes|wms|sap|用友|金蝶|oa|系统|现有系统|产线|设备|plc|dcs|scada|老系统).{0,6}(对接|集成|打通|联调|接口|连起来|连上|通不通|怎么接)`,
            R`(对接|集成|打通|接入|联调)(到)?(我们的?|现有的?|原来的?|原有的?)(现有|原有)?的?(系统|erp|mes|wms|sap|oa|产线|设备|plc|dcs|scada)`,
            // integration with any named system: "要跟我们的WMS系统打通"
            R`(跟|和|与)[^,。，!?！？]{0,10}(系统|软件|平台|数据库|病历|his|lis|pacs|emr|erp|mes|wms|sap|oa|plc|dcs|scada|crm)[^,。，!?！？人]{0,4}(对接|集成|打通|联调|连起来|连上|接上|互通)`,
            // installing while running, commissioning that may not converge, nobody able to do it
            R`边(生产|干|用|跑|营业|运行|开工|接诊|上课)边(装|改|调|施工|切换|改造|安装|上线|调试)`,
            R`(调试|调)不(出来|好|通)`,
            R`(我们的人|我们自己|光靠我们|靠我们自己|我们这边的人|车间的人)[^,。，!?！？]{0,4}(搞不定|弄不了|做不了|不会弄|不会调|弄不好)`,
          ],
          weak: [R`没人会(弄|调|用|操作|搞|设置)`],
        },
        en: {
          strong: [
            R`\bhow long (will|does|would|is|did) (it|the \w+|this|that) (take )?(to )?(implement|deploy|install|set up|roll out|integrate|go live|get up and running|commission)\b`,
            R`\b(stop|halt|shut down|interrupt|disrupt|affect|impact) (our |the )?(production|line|lines|operations|plant|factory|business)\b`,
            R`\b(integrat\w*|connect\w*|hook\w* up|interface\w*) (it )?(with|to|into) (our |the )?(erp|mes|sap|oracle|existing \w+|current \w+|plc|scada|systems?|line)\b`,
            R`\b(our )?(staff|operators|workers|people|team|guys|users) (won't|will not|can't|might not|may not|need to|will need to|have to) (learn|adapt|be trained|pick (it|this) up|figure (it|this) out|get used)\b`,
          ],
        },
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'decision_process',
      label: { zh: '决策流程', en: 'decision process' },
      description: 'Approvals, procurement and tender rules, who decides.',
      suggestion: {
        zh: '摸清决策链（谁拍板、谁评估、采购/招标流程与时间节点），请联系人引荐决策人，准备一页式汇报材料方便其内部上报。',
        en: 'Map the decision chain (who signs, who evaluates, procurement/tender steps and dates), ask your contact to introduce the decision maker, and give them a one-page summary to take upstairs.',
      },
      triggers: {
        zh: {
          strong: [
            '领导拍板', '拍板', '老板拍板', '老板决定', '领导决定', '领导同意', '老板同意', '老板点头', '领导点头', '做不了主',
            '我做不了主', '说了不算', '我说了不算', '不是我定', '不是我说了算', '走流程', '审批', '报批', '上报',
            '报上去', '请示', '上会', '开会讨论', '内部讨论', '内部评估', '内部商量', '招标', '投标', '公开招标', '邀标', '比选',
            '采购部', '采购流程', '采购那边', '集采', '集中采购', '入围', '供应商准入', '供应商名录', '合格供应商',
            '准入', '资质审核', '决策人', '董事会', '老板那边', '领导那边', '预算审批', '立项', '批预算', '三家比价',
            '比价流程', '走招标', '评审', '会签', '采购计划', '年度采购', '需要审批', '等领导', '等老板',
          ],
          weak: [
            '领导', '老板', '老总', '商量', '考虑一下', '再看看', '讨论', '研究一下', '评估', '流程', '审核', '采购',
            '签字', '决策', '定不了', '询价'
          ],
        },
        en: {
          strong: [
            'approval', 'approvals', 'approve', 'sign-off', 'sign off', 'decision maker', 'decision makers', 'decision-maker',
            'decision-makers', 'procurement', 'purchasing department', 'tender', 'tenders', 'rfp', 'rfq', 'rfi', 'bidding',
            'the board', 'committee', 'my boss', 'my manager', 'our ceo', 'the ceo', 'our cfo', 'the cfo',
            'run it by', 'run this by', 'check with', 'internal process', 'approved vendor list',
            'vendor list', 'budget approval', 'buying committee', 'stakeholders', 'get approval', 'purchase order process',
            'preferred supplier list', 'vendor registration', 'supplier onboarding',
          ],
          weak: ['decision', 'decide', 'think about it', 'get back to you', 'management', 'leadership', 'review', 'hq', 'purchasing', 'headquarters', 'the owner', ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(老板|领导|老总|总经理|董事长|上面|上级|总部|集团|采购|财务|技术部|厂长|主任|经理|总监|大老板|一把手).{0,6}(那边|那里|那儿)?(还要|还得|要|需要|得|再)?(过一下|过一遍|过目|看一下|看看|审|批|签|点头|同意|拍板|决定|定夺|定下来|来定|说了算|把关|评估|开会|商量|讨论|走流程)`,
            R`(回去|内部|跟领导|跟老板|跟团队|跟同事|和领导|和老板|和同事|跟上面|向领导|给领导)(再)?(商量|讨论|研究|汇报|请示|沟通|评估|开会|合计|报告)`,
            R`(走|按|过)(个|一下|一遍|一个)?[\u4e00-\u9fff]{0,2}(流程|程序|招标|审批|采购流程|oa|上会|变更|手续|评审|会签)`,
            R`(不是我|我一个人|我这边|我)(说了算|能定|能决定|定不了|决定不了|做不了主|说了不算)`,
            R`(年底|年初|明年|下半年|下个季度|下季度|下个月|q\d).{0,6}(预算|立项|招标|采购计划)`,
            R`(预算|项目|申请|采购).{0,4}(还没批|没批|批下来|审批|批不下来|要批|在批|报上去)`,
            // a department, committee or outside party that must approve: "财务部和法务部都要签字", "业主要审批"
            R`((?<![全内外细干大])部|处|科|委员会|委|办|局|中心|监理|甲方|业主|总部|集团|上级|总公司)(的人)?(都|也|还|再|最后)?(要|得|需要|还要|还得)?(批|审批|签字|会签|审核|盖章|拍板|点头|过会)`,
            // not allowed to choose alone: "我们没法自己定供应商"
            R`(不能|没法|无权|不可以|不好|没资格)(自己|自作主张|私自|擅自|随便|单方面)(换|定|决定|做主|拍板|选|更换|替换)`,
          ],
          // filing an internal request: "我先提个采购申请"
          weak: [R`(提|打|写|交|递)(个|一个|份|一份)?[\u4e00-\u9fff]{0,3}(申请|签呈)`],
        },
        en: {
          strong: [
            R`\b(need|needs|have|has|got|'ll have) to (run (it|this|that) (by|past)|check with|talk to|get approval from|ask|consult|loop in|get sign[- ]off from|get (it|this) approved)\b`,
            R`\b(not|isn't|is not|wasn't) (my|up to me|only my|just my|entirely my)\b.{0,12}\b(decision|call)\b`,
            R`\b(i|we) (can't|cannot|can not|don't|do not) (decide|make (the|this|that) (call|decision)|sign off|approve)\b`,
            R`\bgo(es|ing)? (through|to|out to) (a |an |the )?(procurement|purchasing|board|tender|legal review|committee|rfp|capex|capital|approval|budget|regional|finance|corporate|hq|headquarters|head office)\b`,
            R`\b(my|our|the) (boss|manager|director|ceo|cfo|owner|gm|vp|board|management|headquarters|hq|head office|corporate|plant manager|finance|parent company) ((will|would|needs? to|has to|must|wants? to) (decide|approve|sign|review|see|look at)|signs|approves|signs off)\b`,
            // internal spending requests and who they go in front of
            R`\b(capex|capital expenditure|capital|purchase|spend|spending|budget) (request|approval|form|proposal|application|sign[- ]off)s?\b`,
            R`\bin front of (the )?(finance|board|management|committee|procurement|my boss|our boss|the ceo|the cfo|leadership|headquarters|hq)\b`,
            R`\bbudget (cycle|approval|year|planning|season|process|release|sign[- ]off|is approved|gets approved|approved)\b`,
          ],
        },
      },
      exclude: {
        zh: [
          // state volume-based procurement is a market policy, not this customer's approval step
          R`(国家|省里|省级|省|市里|区域|联盟|带量)集采|集采(政策|落地|降价|以后|之后|价|中标)`,
          // negotiable ("价格好商量"), and the rep's own side: "你回去请示一下", "你们先评估", "问问你们领导"
          R`(好|都好|可以|能|有得|还能)商量|商量着来`,
          R`(你|你们|您)(先|再|去|回去|就|自己)?(评估|研究|请示|申请|汇报|报批|上报|商量|讨论)(吧|一下|下|看看)?`,
          R`(跟|和|向|问问|问一下)你们(的)?(领导|老板|公司|经理|总部|上面|老总)`,
        ],
        en: [R`\bacross the board\b|\bon board\b|\b(circuit|control|pc|printed) board\b|\bboard (level|layout|design)\b`],
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'domestic_substitution',
      label: { zh: '国产替代', en: 'domestic substitution' },
      description: 'Localisation, replacing imports, Xinchuang, sanctions and export-control exposure.',
      suggestion: {
        zh: '提供国产化/信创适配证明与替代进口的成功案例，给出与进口品牌的关键参数对比和试用方案，说明核心部件的国产化率与供应保障。',
        en: 'Provide localisation / Xinchuang compatibility proof and import-replacement references, a key-spec comparison against the imported brand, a trial plan, and the domestic share of core components.',
      },
      triggers: {
        zh: {
          strong: [
            '国产替代', '国产化', '替代进口', '进口替代', '替换进口', '信创', '信创目录', '自主可控', '卡脖子', '国产品牌',
            '国外品牌', '进口品牌', '外资品牌', '原装进口', '洋品牌', '欧美品牌', '国产芯片', '国产操作系统',
            '国产数据库', '麒麟', '统信', '鲲鹏', '海光', '龙芯', '飞腾', '达梦', '人大金仓', '制裁', '实体清单', '出口管制',
            '禁运', '贸易战', '国产化率', '国货',
          ],
          weak: ['国产', '国产的', '进口', '国外', '外资', '日系', '德系', '本土', '本地化', '国内品牌', '国内厂家', '关税', '替代'],
        },
        en: {
          strong: [
            'domestic alternative', 'domestic alternatives', 'domestic supplier', 'domestic suppliers', 'domestic brand',
            'local alternative', 'localization', 'localisation', 'localized', 'localised', 'import substitution',
            'replace imports', 'made in china', 'chinese-made', 'chinese made', 'china-made', 'sanctions', 'export control',
            'export controls', 'entity list', 'trade war', 'reshoring', 'nearshoring', 'local content', 'buy american',
            'domestic content', 'country of origin', 'local manufacturing', 'xinchuang',
          ],
          weak: ['imported', 'import', 'imports', 'domestic', 'tariff', 'tariffs', 'foreign brand', 'foreign brands'],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(国产|国内|本土)(的|品牌|厂家|产品|设备|货)?.{0,12}(能不能|行不行|靠谱吗|靠不靠谱|稳定吗|稳不稳定|质量|比得上|替代|顶得上|够用吗|可靠吗|能用吗|可靠性|稳定性|寿命|吃过亏|出过问题)`,
            R`(替代|替换|换掉|取代|代替)(掉)?(进口|国外|外资|原来的进口|西门子|施耐德|abb|欧姆龙|三菱|博世|霍尼韦尔|罗克韦尔)`,
            R`(上面|国家|政策|集团|国资委|领导|总部).{0,6}(要求|规定|推|鼓励|下文).{0,4}(国产|信创|自主可控|国产化|替代)`,
            R`(进口|国外|外资)(的|品牌|件|设备)?.{0,6}(断供|卡|买不到|禁|管制|太贵|交期太长|太慢|等不起)`,
          ],
        },
        en: {
          strong: [
            R`\b(replace|replacing|substitute|substituting|move away from) (the )?(imported|foreign|german|japanese|us|american|european) (brand|parts?|components?|equipment|suppliers?)\b`,
            // local-sourcing targets: "buy from local suppliers instead of imported parts"
            R`\binstead of (being )?(imported|importing|imports)\b`,
          ],
          weak: [
            R`\b(sourced?|sourcing|buy|buying|purchas\w+|procur\w+|made|produced|manufactured|bought) (\w+ ){0,2}locally\b`,
            R`\blocal (supplier|suppliers|parts|manufacturer|manufacturers|vendor|vendors|brand|brands|alternative|alternatives|material|materials|product|products|maker|makers|foil|resin|components?)\b`,
          ],
        },
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'service_support',
      label: { zh: '售后服务顾虑', en: 'service & support concern' },
      description: 'After-sales service, response time, maintenance, spare parts, local presence.',
      suggestion: {
        zh: '明确售后 SLA（响应时间、到场时间）、本地服务网点与工程师配置、常用备件库存，必要时写入合同，并给出同区域客户的服务评价。',
        en: 'Spell out the service SLA (response and on-site times), the local service point and engineers, the spare-parts stock, put them in the contract if needed, and offer a reference customer in the same region.',
      },
      triggers: {
        zh: {
          strong: [
            '售后', '售后服务', '维保', '维修', '保修', '保修期', '质保期', '上门', '上门服务', '现场服务', '响应时间',
            '响应速度', '多久响应', '技术支持', '备件', '备品备件', '配件', '服务网点', '办事处', '驻场', '本地服务',
            '本地有人', '服务团队', '客服', '坏了怎么办', '出了问题找谁', '出问题找谁',
            '找不到人', '没人管', '没人来', '没人理', '服务跟不上', '服务不好', '服务差', '保养', '巡检', '远程支持',
            '远程诊断', '服务承诺', '售后响应', '年保', '24小时响应', '24小时服务', '7x24小时', '技术服务', '常驻工程师',
          ],
          weak: ['服务', '维护', '故障', '坏了', '质保', '响应', '换新', '退换', '工程师', '网点', '服务费', '维护费', ],
        },
        en: {
          strong: [
            'after-sales', 'after sales', 'aftersales', 'technical support', 'tech support', 'customer support',
            'service level', 'sla', 'slas', 'response time', 'response times', 'on-site', 'onsite', 'on site',
            'field service', 'field engineer', 'field engineers', 'service engineer', 'service engineers', 'maintenance',
            'warranty', 'spare parts', 'spares', 'repair', 'repairs', 'local team', 'local office', 'local presence',
            'local support', 'help desk', 'helpdesk', 'uptime guarantee', 'service contract',
            'support contract', 'preventive maintenance', 'service network', '24/7 support', '24x7 support', 'fae',
            'application engineer', 'application engineers', 'loaner', 'loan machine', 'loan unit',
          ],
          weak: ['support', 'service', 'fix', 'broken', 'breakdown', 'breaks down', 'ticket', 'tickets', 'escalation', 'hotline', 'engineer', 'engineers', 'service team', 'support team' ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(你们)?(在|到)?(本地|当地|我们这|我们这边|我们这里|这边|附近|省内|市里|华南|华东|华北|西南|西北|东北|[\u4e00-\u9fff]{2}(省|市))(有没有(人|办事处|工程师|服务|网点|售后|技术|分公司|团队)|有(人|办事处|工程师|服务网点|网点|售后|技术人员|分公司|团队)(吗|么|不|没|没有))`,
            R`(设备|机器|产线|系统|线|机子|东西)?(坏了|出了问题|出了故障|出故障|出问题|有故障|故障|停机了|宕机|报警|趴窝).{0,8}(怎么办|找谁|多久|谁来|能不能|有没有人|来人|上门|到现场|响应|修)`,
            R`(工程师|师傅|技术员|售后|技术人员|人|服务人员).{0,6}(多久|多长时间|几个小时|几小时|当天|24小时|48小时|能不能|什么时候|啥时候).{0,4}(到|来|过来|上门|到现场|响应|赶到|赶过来)`,
            R`(上一家|之前那家|原来的|以前的|之前的供应商|原来那家|以前那家|老供应商).{0,8}(售后|服务|找不到人|没人管|不理|不回|推诿|扯皮|响应慢|不来)`,
            R`(保修|质保|维保)(期)?.{0,4}(多久|几年|多长|多少年|怎么算|包括|包不包|包含|范围)`,
            // a dispatch time limit: "两小时内派工程师上门", "六小时到场"
            R`(\d+|[一二两三四五六七八九十几半]+)(个)?(小时|工作日)(内|之内|以内)?[^,。，!?！？]{0,2}(派|安排)?(人|工程师|技术员|技术人员|师傅|售后)?(到现场|到场|上门|赶到|响应)`,
            // recurring training after go-live: "新来的护士每半年都要培训"
            R`(定期|每年|每季度|每半年|每个月|新员工|新人|新来的|换人|人员流动|流动大)[^,。，!?！？]{0,6}培训`,
          ],
        },
        en: {
          strong: [
            R`\b(do|does) (you|you guys|y'all|your company|your team|your firm) have (anyone|anybody|people|someone|an office|a team|a (service|support|local|field) team|service (people|engineers?)|engineers?|technicians?|staff|a presence|support)\b.{0,25}\b(here|locally|local|nearby|in (our|the|this) (area|region|city|province|country)|in [a-z]+)\b`,
            R`\bhow (fast|quickly|soon|long)\b.{0,25}\b(respond|response|get (someone|an engineer|a tech\w*|somebody)|on[- ]site|fix|repair|send (someone|an engineer))\b`,
            R`\bwho (do|should|would|can) (we|i) (call|contact|talk to)\b`,
            R`\bif (it|something|the \w+|anything|a \w+) (breaks|fails|goes wrong|goes down|stops working|stops)\b`,
            R`\b(took|takes|taking|take) .{0,25}\bto (send (someone|somebody|anyone|an engineer|a tech\w*)|fix|repair|respond|show up|get (someone|somebody) (out|here|on[- ]site))\b`,
            R`\b(no|nobody|no one|nothing|none) (\w+ ){0,2}(local|locally|nearby|on[- ]site|in (our|the|this) (area|region|country|city|province))\b`,
            R`\b(no|don't have|do not have|doesn't have|does not have|lack|lacks|lacking) (a |any |an )?(local (support|team|office|presence|engineers?|service)|support team|service (team|network|center|centre|engineers?)|engineers? (here|nearby|locally))\b`,
            // recurring training after go-live: "training for new hires every quarter"
            R`\btraining (for|of) new (hires|staff|employees|operators|nurses|users|people|technicians|\w+ers|\w+ists)\b|\b(refresher|recurring|ongoing|annual|yearly|regular|periodic) training\b`,
          ],
        },
      },
      // the customer's own maintenance staff are a role, not a service request
      exclude: { zh: [R`维修工(?!程)|维修(班|组|部|科)`] },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'roi_value',
      label: { zh: '投资回报疑虑', en: 'ROI doubt' },
      description: 'Doubts about return, payback, value, proof of results.',
      suggestion: {
        zh: '用客户自己的数据做一份回本测算（投入、节省、回收期），提供同行业可量化的案例，建议小范围试点以数据验证效果。',
        en: "Build a payback model with the customer's own numbers (investment, savings, payback period), share quantified results from a peer in their industry, and propose a small pilot to prove the effect.",
      },
      triggers: {
        zh: {
          strong: [
            '回本', '多久回本', '回收期', '投资回报', '回报率', '投入产出', '投入产出比', '值不值', '值得吗', '值不值得',
            '划算吗', '划不来', '不划算', '划不划算', '性价比', '有没有效果', '效果怎么样', '效果好不好', '效果如何',
            '见效', '能省多少', '省多少', '节省多少', '降低多少', '提升多少', '提高多少', '能赚多少', '赚多少', '利润率',
            '动销', '卖得动', '卖不动', '好不好卖', '好卖吗', '走不走量', '卖不出去', '成功案例', '同行案例', '有没有案例',
            '用户案例', '标杆客户', '实际效果', '看不到价值', '看不到效果', '没效果', '没什么效果', '有用吗', '有什么用',
            '有啥用', '意义不大', '有必要吗', '鸡肋', '白花钱', '打水漂', '降本增效', '说服老板', '钱花得值',
            '投这么多', '花这么多钱', '收回成本', '回报', '冤枉钱',
            // the absence of a return is the concern itself ("投了钱却没收益")
            '没有回报', '没回报', '没什么回报', '没有收益', '没收益', '没有效果', '没啥效果',
          ],
          // a bare reference request ("有没有…的案例") is proof for whatever is in doubt, not a value doubt by itself
          weak: ['效果', '价值', '好处', '收益', '效率', '节省', '产出', '划算', '利润', '毛利', '周转', '提升', '没必要', '利用率'],
        },
        en: {
          strong: [
            'roi', 'return on investment', 'payback', 'pay back', 'pay for itself', 'pays for itself', 'business case',
            'worth it', 'worth the money', 'worth the investment', 'worth the price', 'value for money', 'cost-benefit',
            'cost benefit', 'savings', 'tco', 'total cost of ownership', 'justify', 'justification', 'case study',
            'case studies', 'reference customer', 'reference customers', 'sell-through', 'sell through', 'break even',
            'break-even', 'proven results', 'tangible results', "what's in it for us",
          ],
          weak: ['value', 'benefit', 'benefits', 'results', 'impact', 'efficiency', 'productivity', 'outcome*', 'margin', 'margins', 'profit*', 'references', 'proof', 'save'],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(这钱|这笔钱|这个钱|钱|投入|投资|这么多钱|花的钱|这笔投入|这个投入).{0,8}(多久|几年|多长时间|什么时候|啥时候).{0,4}(回来|回本|赚回|收回|挣回|回收|赚回来)`,
            R`(能|可以|到底能|究竟能|具体能|真能|能不能)(帮我们|给我们|帮)?(省|节省|节约|降低|减少|提高|提升|增加|多赚|带来|省下).{0,4}(多少|几成|百分之|几个点|什么|多大)`,
            R`(值不值|值得|划不划算|有没有必要|有必要吗|有什么好处|有啥好处|图什么|值这个价|值这个钱)`,
            // a negation inside asserts the missing return ("投了钱却没收益"), it does not dismiss it: no gap tracking
            R`(投|花|投入|砸)(了|这么多|那么多|几十万|上百万|\d+万)[^,。，!?！？]{0,8}(能|可以|会)?(带来|换来|得到|回来|收益|效果|产出)`,
            R`(卖得动|卖不动|好不好卖|好卖吗|走不走量|能不能卖|卖不出去|压在手里|动销怎么样|动销慢)`,
            R`(有没有|能不能|拿)(数据|案例|客户|实际数字|证据).{0,4}(证明|说明|看看|参考|对比)`,
            // money feared wasted; a rhetorical 不就/不是/岂不 ("那三十万岂不是白扔了") is part of the phrase, not a negation
            R`(不就|不是|岂不是?|那不就|还不是)(都|全|全都)?(白花|白扔|白投|打水漂|打了水漂|扔水里|扔进水里|扔到水里)了?`,
            R`(白花|白扔|白投|打了水漂|扔水里|扔进水里|扔到水里)了?`,
            // a past trial with no visible result: "试了半年没感觉有变化"
            R`(看不出|没看出|没看到|看不到|没感觉|感觉不出|没见到|见不到)(来)?(啥|什么|多大|有什么|有啥|明显|任何)?的?(差别|变化|改善|提升|作用|好处)`,
            // how many uses / sales it takes to earn the money back; too few uses to be worth it
            R`(做|卖|用|跑|干)(多少|几)[^,。，!?！？]{0,4}(才能|才可以|才)(把[^,。，!?！？]{1,6})?(回来|回本|赚回来|挣回来|收回来?|回收|赚回|挣回)`,
            R`(用不了|用不上|用得上|用得了)(几次|几回|多少次|几例|几单)(?![^,。，!?！？]{0,3}(就|会)?坏)`,
            // cannibalisation: new sales or just shifted share
            R`(原来|现有|已有|自己)的?(份额|销量|生意|客流)[^,。，!?！？]{0,2}(分掉|抢走|吃掉|挤掉|分走|摊薄)`,
          ],
        },
        en: {
          strong: [
            R`\bhow (long|soon|quickly) (until|before|to|will it take to|would it take to|does it take to|will we|would we|can we|do we)\b.{0,25}\b(pay (back|for itself|off)|break even|see (a |any )?(return|results?|roi|payback|savings)|recoup|recover)\b`,
            R`\b(is it|would it be|will it be|is this|is that|was it) (really |actually )?worth\b`,
            R`\bhow much (will|would|can|could|does|do) (we|it|this|that|i) (save|earn|make|gain|improve|reduce|cut)\b`,
            R`\b(prove|show|demonstrate|quantify) (the |that it |us the |us that it )?(value|roi|return|savings|it works|results)\b`,
          ],
        },
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'switching_cost',
      label: { zh: '切换成本', en: 'switching cost' },
      description: 'Cost of leaving the current solution: existing systems, contracts, sunk investment, habits, migration.',
      suggestion: {
        zh: '盘点客户现有系统/设备与合同到期时间，给出迁移与利旧方案、并行过渡期和迁移成本分担，在合同到期前启动评估。',
        en: "Inventory the customer's current system/equipment and contract end dates, propose a migration and reuse plan with a parallel-run period and shared migration cost, and start the evaluation well before the contract ends.",
      },
      triggers: {
        zh: {
          strong: [
            '现有系统', '现在的系统', '现在在用', '目前在用', '一直在用', '用了好几年',
            '用了很多年', '用了这么多年', '用习惯了', '都习惯了', '老系统', '老设备', '旧系统', '旧设备', '原有设备',
            '原来的系统', '原有系统', '已经投了', '已经投入', '投了不少钱', '沉没成本', '换掉', '换起来', '换供应商',
            '更换供应商', '换厂家', '切换成本', '更换成本', '替换成本', '迁移', '数据迁移', '系统迁移', '合同没到期',
            '合同还没到期', '合同未到期', '还没到期', '被绑定', '合作很多年',
            '合作多年', '合作了很多年', '重新来', '推倒重来', '重新培训', '重新认证', '重新验证', '重新验厂', '利旧',
            '提前解约', '换一家', '从头再来', '从零开始',
          ],
          // 解约 alone may be an exit clause being negotiated (contract_terms)
          weak: ['习惯了', '更换', '切换', '替换', '到期', '原厂', '老供应商', '现在用的', '目前用的', '一直用的', '绑定', '捆绑', '报废', '老关系', '解约'],
        },
        en: {
          strong: [
            'existing system', 'existing systems', 'current system', 'current systems', 'current vendor', 'current supplier',
            'existing vendor', 'existing supplier', 'incumbent', 'legacy', 'legacy system', 'locked in', 'lock-in', 'lock in',
            'locked into', 'under contract', 'existing contract', 'current contract', 'switching cost', 'switching costs',
            'cost of switching', 'migration', 'migrate', 'migrating', 'sunk cost', 'sunk costs', 'already invested',
            'already paid for', 'rip and replace', 'retraining', 're-training', 're-certification', 'recertification',
            'requalification', 're-qualification', 'early termination', 'termination fee', 'exit fee', 'change supplier',
            'change suppliers', 'switch suppliers', 'switch vendors',
          ],
          weak: ['switch', 'switching', 'replace', 'replacing', 'changeover', 'change over', ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(合同|协议|年框|框架协议|服务合同|合作协议|维保合同).{0,8}(还有|还剩|剩|到)(\d+|[一二两三四五六七八九十半几]+)(个)?多?(年|月|季度|多月).{0,4}(才|到期|才到期|结束|才结束)?`,
            // the remaining term may follow in the next clause or be a date: "框架协议签了，今年还剩四个月", "协议签到年底"
            R`(合同|协议|年框|框架协议|服务合同|合作协议|维保合同)[^。!?！？]{0,10}(今年|还)(还有|还剩|剩)(\d+|[一二两三四五六七八九十半几]+)(个)?多?(年|月|季度)`,
            R`(合同|协议|年框|框架协议)(签|签到|签了|到)(到)?(明年|后年|今年)?(年底|年中|年初|下半年|上半年|\d+月|[一二三四五六七八九十]+月)`,
            R`(合同|协议|年框|框架协议).{0,4}(还没|没|未|还不|还没有)(到期|结束|满)`,
            R`(换|换掉|替换|切换|更换|换成|换到|转到)(你们|新的|新系统|新设备|供应商|厂家|品牌|别的).{0,8}(成本|代价|麻烦|风险|折腾|费劲|划算|值得|损失|要多少|怎么弄|工作量)`,
            R`(已经|之前|去年|前年|今年|刚|才)(刚|才)?(投|买|上|花|采购|投入|换|上线)(了|的)?.{0,8}(系统|设备|产线|软件|钱|万|模具|机|套|mes|erp|wms|sap|plc)`,
            R`(现有|现在|原来|原有|目前|以前)的?(系统|设备|产线|供应商|厂家|软件|方案|模具|机器).{0,6}(怎么办|怎么处理|还能用|浪费|报废|扔掉|停用|利旧|不能用|白买)`,
            R`(数据|历史数据|老数据|程序|配方|档案).{0,4}(迁移|迁过来|导过来|搬过来|转过来|能不能带过来|怎么办|会不会丢)`,
            R`(提前|中途)(解约|终止|退出|换).{0,8}(违约金|赔|罚|损失)`,
            // a recently bought asset: "这台压机才用了不到一年"
            R`用了(还|才)?(不到|才|没)(\d+|[一二两三四五六七八九十半几]+)(个)?多?(年|月)(?![^,。，!?！？]{0,4}(坏|出问题|故障|不行|漏))`,
            // money already spent becomes waste when switching: "要是换了，去年的投入就白扔了" (wins over roi_value's waste idiom)
            R`(?<![交转])(换(?!货)|替换|切换|更换)[^。!?！？]{0,20}(白花|白扔|白投|打水漂|扔水里)了?`,
            // switching is not simple: "换起来没那么简单"
            R`换[^,。，!?！？]{0,4}(没那么|不是那么|哪有那么|没有那么|可不)(简单|容易)`,
            // everything has to be redone: tooling, requalification ("换一家的话模具都得重新开", "重新走一遍认证")
            R`(?<![交转])换(?!货)[^。!?！？]{0,12}(全|都|又|还)(得|要)重新(开|做|来|搞|弄|走|买|投|认证|验证|开模)`,
            R`重新(走|做|跑|过)(一遍|一次|一轮)?[^,。，!?！？]{0,2}(ppap|认证|验证|验厂|导入|认可|承认)`,
            R`换(一个|个|一家|家|别的|其他)(供应商|厂家|品牌|牌子|供货商|经销商)`,
            // stock and spares held for the incumbent: "库存得先用完才能切", "那些老配件都成了废品"
            R`(消化|用完|清掉|处理掉|卖完)(掉|完)?[^,。，!?！？]{0,2}(才能|再|以后才|之后才|才)(换|切|切换|更换|转)`,
            R`(备件|备品|配件|库存|模具|刀模|印版|存货|老设备|这些|那些)[^,。，!?！？]{0,4}(就|都|全)?(成|变成|成了|当)(废铁|废品|废料|呆料|呆滞|死库存)`,
            R`(备件|备品|配件|模具|刀模|存货)(库)?(里)?(压了|压着|囤了|积压了?)[^,。，!?！？]{0,10}`,
            R`(还有|压着|囤着|剩)[^,。，!?！？]{0,4}(现在|原来|目前)(这家|那家|用的)`,
            // a volume rebate with the incumbent lost by splitting orders
            R`(分给|分出去|拆给|转给|换|切)[^。!?！？]{0,16}(返利|返点|年返|奖励)[^,。，!?！？]{0,6}(就)?(达不到|拿不到|够不上|保不住|没了|丢了)`,
          ],
          // naming what is used today is not by itself a cost of leaving it
          weak: [
            R`(现在|目前|一直|原来|之前)(在)?用(的|着)(是|就是)?.{0,8}(系统|设备|品牌|牌子|供应商|厂家|家的|软件|西门子|施耐德|abb|欧姆龙|三菱|[a-z]{2,})`,
          ],
        },
        en: {
          strong: [
            R`\b(we're|we are|we've been|we have been|we were|we'd be|we are still) (\w+ )?(locked in|tied (in|up|into)|committed|stuck)\b`,
            R`\b(contract|agreement|license|licence|subscription|deal) (\w+ ){0,3}(until|till|through|runs|expires|ends|renews)\b`,
            R`\b(we've|we have|we) (already )?(invested|spent|sunk|put)\b.{0,30}\b(in|into) (our|the|this|that) (current|existing|old|legacy)\b`,
            R`\b(move|moving|switch\w*|migrat\w*|transition\w*) (away )?(from|off) (our|the) (current|existing|old|legacy)\b`,
            R`\b(been|using|used) (\w+ ){0,3}for (\w+ )?(years|a decade|a long time)\b`,
          ],
        },
      },
      // chemical migration (food-contact testing) is not a data migration
      exclude: { en: [R`\bmigration (test|tests|testing|limit|limits|results?|data|studies|study)\b`] },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'contract_terms',
      label: { zh: '合同条款', en: 'contract & payment terms' },
      description: 'Payment terms, invoices, deposits, liability, acceptance, channel terms.',
      suggestion: {
        zh: '提前与财务/法务确认可接受的账期、付款节点与发票类型，准备标准合同条款和可让步清单，避免在谈判中临时口头承诺。',
        en: 'Agree with finance/legal beforehand which payment terms, milestones and invoice types you can accept, bring standard terms and a list of possible concessions, and avoid improvised verbal commitments.',
      },
      triggers: {
        zh: {
          strong: [
            '账期', '付款方式', '付款条件', '付款周期', '付款节点', '结算方式', '结算周期', '预付款', '预付', '首付', '尾款',
            '定金', '订金', '押金', '保证金', '质保金', '分期付款', '分期', '月结', '季结', '票到付款', '货到付款', '款到发货',
            '先款后货', '先货后款', '承兑', '银行承兑', '承兑汇票', '电汇', '发票', '开票', '专票', '普票', '增值税', '增票',
            '税点', '含税', '不含税', '违约', '违约金', '违约责任', '赔偿', '赔偿责任', '免责', '责任条款', '罚款', '罚则',
            '合同条款', '补充协议', '验收标准', '验收条件', '质保条款', '知识产权', '保密条款', '退换货',
            '退货政策', '退货条款', '退换货政策', '退货率',
            '运费谁出', '包运费', '窜货', '区域保护', '独家代理', '代理权', '排他', '压款', '垫资',
            '资金占用', '价格保护', '年框', '框架协议', '合同模板', '现款现货', '现款提货', '赊账', '赊销', '回购',
          ],
          // a return or exchange as an event ("上周的退货单", "终端客户退货了") is not a term being negotiated
          weak: ['合同', '付款', '结算', '打款', '条款', '签约', '协议', '验收', '授权', '付钱', '运费', '对账', '回款', '签合同', '退货', '换货', '结账'],
        },
        en: {
          strong: [
            'payment terms', 'net 30', 'net 45', 'net 60', 'net 90', 'net-30', 'net-45', 'net-60', 'net-90', 'credit terms',
            'invoice', 'invoices', 'invoicing', 'deposit', 'upfront payment', 'pay upfront', 'prepayment', 'down payment',
            'installment*', 'instalment*', 'milestone payment*', 'letter of credit', 'liability', 'liabilities',
            'indemnity', 'indemnification', 'penalty', 'penalties', 'liquidated damages', 'termination clause',
            'warranty terms', 'contract terms', 'terms and conditions', 't&cs', 'msa', 'master agreement', 'vat',
            'tax invoice', 'incoterms', 'fob', 'cif', 'exw', 'ddp', 'freight terms', 'acceptance criteria',
            'payment schedule', 'ip ownership', 'exclusivity', 'exclusive distribution', 'territory protection',
            'return policy', 'returns policy', 'credit limit',
          ],
          weak: ['contract', 'agreement', 'payment', 'payments', 'clause', 'clauses', 'terms', 'legal', 'freight', 'cash flow'],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(账期|付款|结算|回款|月结|票期).{0,6}(多久|多长|几个月|能不能|可以|放到|延长|长一点|宽|\d+天|太短|太长)`,
            R`(能不能|可不可以|能否|可以|是否可以)(先|后|分期|分批|晚点|延期|月结|季结|货到|票到|验收后)(再)?(付|付款|结|给钱|打款|结算|付钱)`,
            R`(先|要|得)(付|交|打)(多少|一半|全款|\d+%|百分之[一二三四五六七八九十]+|三成|五成).{0,4}(款|钱|定金|预付)?`,
            R`(出了问题|出问题|质量问题|交不了货|交不上货?|不能按时交货|延期交货|逾期|违约|出了事|延期|延误|晚了|晚交)(的话)?.{0,8}(谁负责|谁承担|怎么赔|赔不赔|赔多少|怎么算|罚|责任|违约金)`,
            R`(能不能|可不可以|能否|有没有)(开|给)?(专票|增值税专用发票|发票|增票|13个点的票|票)`,
            R`(合同|条款).{0,6}(怎么写|怎么签|要改|要看|法务|审一下)`,
            R`(临期|过期|卖不掉|卖不完|没卖完|卖剩|剩下|剩余|用不完|滞销|质量问题|破损)(的)?(货|产品)?.{0,4}(能不能|可不可以|能否|可以|包不包|给不给|能)(退|换|调换|退换|调货|回收)`,
            // putting a condition in writing: "把这条加到补充协议", "写入合同"
            R`(写到|写进|写入|加到|加进|落到|约定在|体现在)(合同|协议|条款|补充协议)`,
            // an exit right being negotiated: "我们要有权随时终止合同"
            R`(有权|可以|能够|随时)(单方面)?(解约|解除合同|终止合同|终止协议)`,
            // claim windows: "质量异议要在七天内提出"
            R`(索赔|理赔|质量异议|异议|投诉)[^,。，!?！？]{0,8}(\d+|[一二两三四五六七八九十]+)(个)?(天|日|工作日|月)(内|之内|以内)`,
            R`先(发货|到货|交货|验收|试用|用)(再|后)(付|付款|结算|打款|给钱|结)`,
          ],
        },
        en: {
          strong: [
            R`\b(can|could) (we|you) (pay|do|get|offer|have)\b.{0,15}\b(net \d+|in installments|later|monthly|quarterly|on delivery|after delivery|in stages|by milestones?|on acceptance)\b`,
            R`\bwho (pays|covers|is liable|is responsible|bears|carries)\b.{0,40}`,
            R`\b(how much|what) (is the |is your |do you need as a |would the )?(deposit|down payment|upfront)\b`,
            R`\b(legal|our lawyers|our legal team) (will|would|need to|needs to|has to|have to|must) (review|redline|look at|check)\b`,
            // claim windows: "claims must be raised within fifteen days"
            R`\bclaims?\b.{0,30}\bwithin (\w+ ){1,3}(days?|weeks?|months?)\b`,
          ],
        },
      },
    },
    // -----------------------------------------------------------------------------------------
    {
      code: 'product_fit',
      label: { zh: '产品匹配度', en: 'product fit' },
      description: 'Fit to requirements, customisation, technical specs, compatibility, quality.',
      suggestion: {
        zh: '收集客户的图纸/工况/参数要求，安排技术人员做选型确认或打样测试，书面回复满足度与定制周期，差距项给出替代方案。',
        en: "Collect the customer's drawings, operating conditions and specs, have an engineer confirm the selection or run a sample test, reply in writing on fit and customisation lead time, and offer work-arounds for gaps.",
      },
      triggers: {
        zh: {
          strong: [
            '能不能定制', '定制', '定制化', '非标', '非标定制', '按图纸', '来图加工', '技术参数',
            '精度', '公差', '材质', '兼容', '兼不兼容', '适配', '满足需求', '满足要求', '满足不了', '不满足',
            '达不到要求', '不符合', '符合要求', '不对路', '不太对路', '不对口', '有没有这个功能', '支持不支持', '支不支持', '不支持', '接口协议', '通讯协议',
            '通信协议', 'modbus', 'profinet', 'ethercat', 'opc ua', 'opcua', '工况', '耐高温', '耐腐蚀', '耐低温', '防水',
            '防尘', 'ip65', 'ip67', 'ip68', '负载', '扭矩', '量程', '使用寿命', '可靠性', '质量稳定', '良率',
            '不良率', '一致性', '二次开发', '开放接口', '够不够用', '适不适合', '合不合适',
            '对不对口', '我们的场景', '我们的工况', '我们的产线', '规格书', '包装规格', '口味', '配方',
          ],
          weak: ['功能', '质量', '品质', '型号', '性能', '稳定性', '尺寸', '图纸', '接口', '选型', '样品', '样机', '试用', '试样', '打样', '参数', '规格', '质量问题'],
        },
        en: {
          strong: [
            'customise', 'customize', 'customised', 'customized', 'customization', 'customisation', 'custom-made', 'custom made',
            'tailor*', 'bespoke', 'spec', 'specs', 'specification', 'specifications', 'requirements', 'fit our needs',
            'meet our requirements', 'meet our needs', 'compatibility', 'tolerance', 'tolerances', 'accuracy',
            'precision', 'drawing', 'drawings', 'sample', 'samples', 'prototype*', 'functionality', 'capability',
            'capabilities', 'modbus', 'profinet', 'ethercat', 'opc ua', 'ip65', 'ip67', 'ip68', 'load capacity',
            'throughput', 'durability', 'reliability', 'defect rate', 'use case', 'feature request', 'missing feature',
          ],
          // "a drop-in compatible part" describes a product; "compatible with our X" is a pattern below
          weak: ['feature', 'features', 'option', 'quality', 'testing', 'trial', 'configuration', 'configure', 'compatible', ],
        },
      },
      patterns: {
        zh: {
          strong: [
            R`(能不能|可不可以|能否|可以|是否可以|能|可不可以帮我们)(按|照|根据|按照)(我们的?|客户的?)?(图纸|图|样品|样件|要求|规格|尺寸|标准|参数|需求).{0,4}(改|做|定制|加工|生产|调整|出)`,
            R`(能不能|可不可以|能否|是否|可以|能)(支持|兼容|适配|对应|匹配|用在|用于|接入)`,
            R`(能不能|可不可以|能否|是否|可以|能)(满足|达到|做到)(我们的?|这个|这种|你说的|客户的?)?(要求|需求|标准|指标|精度|参数|规格|性能|等级|温度|压力|寿命)`,
            R`(能不能|可不可以|能否|可以)(改成|加个|增加|去掉|改一下|换成|做成|改)[^,。，!?！？]{0,6}(接口|功能|尺寸|颜色|规格|包装|型号|材质|配方|口味|模块|款|版|结构|外形|长度|宽度|高度|厚度|大小|logo|瓶|盒|装)`,
            R`(适不适合|合不合适|适合|适用于?).{0,6}(我们|我们的|我们这种|我们这个|我们这边|这种|这个)(场景|工况|产线|行业|产品|环境|设备|工厂|车间|需求|情况|材料)`,
            R`(我们的?|我们这边的?|我们这种)(工况|场景|环境|产线|设备|温度|要求|需求|材料|工艺|产品).{0,8}(能不能|行不行|能行吗|可以吗|满足|适用|用得了|扛得住|受得了|够不够)`,
            R`(精度|公差|参数|规格|尺寸|温度|(?<!资金|成本|价格|工作|心理|交付|库存|回款|现金)压力|功率|负载|转速|寿命|防护等级|流量|量程|电压|电流|耐压|功耗|高度|宽度|长度|厚度|直径|重量|硬度|强度|黏度|粘度|细度|浓度|纯度|含量|色差|含糖量|含盐量|容量|噪音|亮度|分辨率|角度|拉力|附着力|耐温).{0,6}(能不能|能否|够不够|够吗|够用吗|达不到|能达到|多少|多大|多高|多长|多厚|是多少|满足|一样吗|一致吗|能控制|控制得住|控制住|行不行)`,
            // a stated limit: "高度不能超过五十毫米", "涂层厚度要控制在二十微米以内"
            R`(精度|公差|参数|规格|尺寸|温度|(?<!资金|成本|价格|工作|心理|交付|库存|回款|现金)压力|功率|负载|转速|寿命|防护等级|流量|量程|电压|电流|耐压|功耗|高度|宽度|长度|厚度|直径|重量|硬度|强度|黏度|粘度|细度|浓度|纯度|含量|色差|含糖量|含盐量|容量|噪音|亮度|分辨率|角度|拉力|附着力|耐温|效率)[^,。，!?！？]{0,8}(要|得|必须|需要|要求|不能|不得|不可以|控制|保持)(在|到|达到)?[^,。，!?！？]{0,8}(以上|以下|以内|之内|小于|大于|不超过|不低于|低于|高于|超过|左右)`,
                        // will it work in our conditions: "在零下三十度的冷库里能用吗", "放在海边环境里行不行"
            R`(在|用在|放在|用到)[^,，。？?!！]{1,10}(里|上|中|下|环境|条件|工况)(面)?(管不管用|能不能用|行不行|好不好用|适不适用|能用吗|能活吗|管用吗|行吗|可以吗|扛得住吗|受得了吗|稳定吗|有没有问题)`,
            R`(会不会|会|怕)(跟|和|与)[^,。，!?！？]{0,10}(起反应|发生反应|不兼容)`,
            // drop-in replacement checks: "封装跟原来那颗一样吗"
            R`(管脚|引脚|脚位|封装|孔位|安装孔|外形|螺纹|接口定义)[^,。，!?！？]{0,6}(一样吗|一致吗|一样不|兼容吗|通用吗|能通用|对得上吗|匹配吗)`,
            // quality holding up in volume: "大货能不能保持打样的水平"
            R`(量产|批量|大批量|大货)[^,。，!?！？]{0,4}(能不能|能否|会不会|能)(做|保证|保持|稳定|一致|控制|达到)`,
            // taste and pack size that do not suit: "口味太咸了", "五百克一袋有点大"
            R`(有点|太|偏|稍微|过于|稍)(偏)?(甜|咸|辣|腻)`,
            R`(\d+|[一二两三四五六七八九十百千万]+)(毫升|升|ml|克|公斤|千克|毫米|厘米|mm|cm|寸)[^,。，!?！？]{0,2}(有点|太|偏|稍微|过于)(大|小|重|轻|多|少|高|低|厚|薄|长|短|宽|窄)`,
            R`(有没有|带不带|带没带)(这个|这种|那个)?(功能|接口|模块|选项|型号|规格|尺寸)`,
            R`(兼容|适配|支持|匹配|兼不兼容)(我们)?(的)?(现有|原有|原来|现在|老)?的?(系统|设备|产线|plc|软件|erp|mes|机器|模具|接口)`,
            R`(耐|承受|扛)(得住)?(到)?(多少|多高|多大)(度|公斤|压力|温度|负载)?`,
            R`(耐|抗)(高温|低温|腐蚀|磨损|高压|震动|冲击|老化)(吗|不|怎么样|能力)`,
            R`能用(多少|几)年|用(多久|多长时间)(会|就)坏|寿命(多长|多久|多少|有多长)`,
          ],
          weak: [R`管不管用|好不好使|管用吗|适不适用`, R`(要求|标准)(很|特别|非常|比较|挺|相当)(严|高|苛刻)`],
        },
        en: {
          strong: [
            R`\b(can|could|would|will) (you|it|this|the \w+|your \w+) (be )?(customi[sz]ed?|modif\w+|adapt\w*|adjust\w*|tailor\w*|built to|made to|handle|support|meet|fit|work with|run on|cope with|withstand)\b`,
            R`\b(does|do|will|is) (it|this|the \w+|your \w+) (support|handle|meet|fit|comply with|work with|compatible)\b`,
            R`\b(to|per|according to|based on|from|with) (our|the customer'?s?) (drawings?|specs?|specifications?|requirements|samples?|design)\b`,
            R`\b(our|the) (use case|application|environment|process|conditions|requirements?|line)\b.{0,20}\b(fit|work|suitable|handle|meet|cope)\b`,
            R`\b(compatible|compatibility) (with|to) (our|the|your|existing|current)\b`,
            // behaviour under the customer's conditions: "is the coating resistant to salt spray"
            R`\b(is|are|will|would) (it|this|that|they|these|the \w+) (stable|resistant|rated|suitable|durable|waterproof|food safe|heat resistant|uv resistant|weatherproof) (at|for|in|under|up to|to|with|against)\b`,
            // a stated range: "the gap needs to be under three millimetres"
            R`\b(needs?|has to|have to|must|should|requires?)\b (it |them )?(to )?(be |stay |run )?(between|under|below|above|over|at least|at most|no more than|less than|more than) ([\w.-]+ ){1,5}(degrees?|°c|mm|millimet\w+|centimet\w+|met(er|re)s?|microns?|volts?|amps?|watts?|kg|kilo\w*|grams?|centipoise|cps?|psi|bar|mpa|db|decibels?)\b`,
          ],
        },
      },
      exclude: {
        zh: [
          R`(能不能|可不可以|能否|能)支持(一下|下|点)`,
          R`(质量|品质|质检|测试|技术)(部|部门|科|中心|经理|总监|工程师)`,
          // quality as a modifier of an admin noun ("质量数据", "质量协议", "质量索赔") and adaptation certificates (信创)
          R`质量(数据|体系|协议|索赔|记录|报告|追溯|保证金|条款|问题的话)`,
          R`(适配|兼容性?)(证明|认证|证书|清单|目录|名录)`,
        ],
        en: [R`\b(reliability|quality|test|testing|qa|qc) (engineer|engineers|team|teams|department|dept|manager|managers|people|lab|group)\b`],
      },
    },
  ],
};
