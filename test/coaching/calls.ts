/** Crafted call transcripts for the coaching tests (times in seconds). */
type Seg = { speaker: string; role: 'rep' | 'customer'; start: number; end: number; text: string };
const rep = (start: number, end: number, text: string): Seg => ({ speaker: '销售', role: 'rep', start, end, text });
const cust = (start: number, end: number, text: string): Seg => ({ speaker: '客户', role: 'customer', start, end, text });

/** A top performer: short turns, questions, answers the delivery worry. */
export const GOOD_CALL: Seg[] = [
  rep(0, 8, '王总您好，您现在这条线的交期要求是多少？'),
  cust(8, 16, '一般两周吧，这批货最快什么时候能到？'),
  rep(16, 24, '明白，现货我们苏州仓有，两周内可以分批到货，您看可以吗？'),
  cust(24, 32, '可以，价格呢？'),
  rep(32, 40, '价格我按预算给您两档方案，您的预算大概多少？'),
  cust(40, 48, '三十万左右。'),
  rep(48, 56, '好的，明天发您。'),
];

/**
 * A weak call: the customer worries about delivery and gets a 40 s company pitch instead, the rep
 * asks nothing and talks most of the time; the price worry is answered.
 */
export const WEAK_CALL: Seg[] = [
  cust(0, 6, '你好，这批货最快什么时候能到？我们产线等不起。'),
  rep(6, 26, '我们公司成立于二零零五年，一直专注工业自动化，服务过很多大型企业客户。'),
  rep(26.5, 46, '我们的团队有两百多名工程师，研发投入每年都在增加，产品质量非常稳定。'),
  cust(46, 50, '嗯。'),
  rep(50, 70, '另外我们还有完善的培训体系，新员工都要经过三个月的培训才能上岗。'),
  rep(70.5, 90, '总之选择我们是非常放心的，很多老客户都合作了十几年了。'),
  cust(90, 94, '价格太贵了，能便宜点吗？'),
  rep(94, 100, '价格方面可以给您一些折扣，这个可以谈。'),
  cust(100, 110, '好的，我考虑一下。'),
  rep(110, 130, '好的，那我下周再联系您，祝您工作顺利。'),
];
