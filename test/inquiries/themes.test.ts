import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/analysis/text/index.js';
import { ari, mutualInformation, nmi } from '../../src/inquiries/cluster-metrics.js';
import { classTfIdf, clusterThemes, hashingThemeVectors, silhouetteFromSimilarity, similarityMatrix, type ThemeItem } from '../../src/inquiries/themes.js';
import { themeFeatures, themeTfIdf, themeVectors } from '../../src/inquiries/theme-vectors.js';

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 10);

describe('cluster metrics: hand-computed values', () => {
  it('perfect agreement scores 1', () => {
    close(nmi([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]), 1);
    close(ari([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]), 1);
  });

  it('renamed (permuted) cluster labels change nothing', () => {
    close(nmi(['a', 'a', 'b', 'b', 'c', 'c'], [2, 2, 0, 0, 1, 1]), 1);
    close(ari(['a', 'a', 'b', 'b', 'c', 'c'], [2, 2, 0, 0, 1, 1]), 1);
    // and the score of an imperfect clustering is the same under any renaming
    close(nmi([0, 0, 1, 1], [0, 0, 1, 2]), nmi([0, 0, 1, 1], [7, 7, 3, 5]));
    close(ari([0, 0, 1, 1], [0, 0, 1, 2]), ari([0, 0, 1, 1], [7, 7, 3, 5]));
  });

  it('everything in one cluster scores 0 against a real split', () => {
    close(nmi([0, 0, 1, 1], [0, 0, 0, 0]), 0);
    close(ari([0, 0, 1, 1], [0, 0, 0, 0]), 0);
    // both sides unsplit: a perfect match (scikit-learn's limit case)
    close(nmi([0, 0, 0], [1, 1, 1]), 1);
    close(ari([0, 0, 0], [1, 1, 1]), 1);
  });

  it('[0,0,1,1] vs [0,0,1,2]: NMI 0.8, ARI 4/7', () => {
    // H(true) = ln 2; H(pred) = 1.5 ln 2; MI = ln 2 (pred refines true) → NMI = ln2 / (1.25 ln2) = 0.8
    close(mutualInformation([0, 0, 1, 1], [0, 0, 1, 2]), Math.LN2);
    close(nmi([0, 0, 1, 1], [0, 0, 1, 2]), 0.8);
    // Σ C(n_ij,2) = 1, Σ C(a_i,2) = 2, Σ C(b_j,2) = 1, C(4,2) = 6: expected 1/3, max 1.5 → (1 − 1/3) / (1.5 − 1/3) = 4/7
    close(ari([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7);
  });

  it('[0,0,0,1,1,1] vs [0,0,1,1,2,2]: NMI 4 ln2 / (3 ln 6), ARI 8/33', () => {
    // MI = 2·(2/6)·ln 2 = (2/3) ln 2; H(true) = ln 2, H(pred) = ln 3
    close(nmi([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), (4 * Math.LN2) / (3 * Math.log(6)));
    // Σ C(n_ij,2) = 2, Σ C(a_i,2) = 6, Σ C(b_j,2) = 3, C(6,2) = 15: expected 1.2, max 4.5 → 0.8 / 3.3
    close(ari([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 8 / 33);
  });

  it('ARI can go below 0 (worse than chance)', () => {
    // Σ C(n_ij,2) = 0, Σ C(a_i,2) = 2, Σ C(b_j,2) = 2, C(4,2) = 6: expected 2/3, max 2 → −(2/3) / (4/3) = −0.5
    close(ari([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
    close(nmi([0, 0, 1, 1], [0, 1, 0, 1]), 0);
  });

  it('empty input and a length mismatch', () => {
    close(nmi([], []), 1);
    close(ari([], []), 1);
    expect(() => nmi([0, 1], [0])).toThrow(RangeError);
    expect(() => ari([0], [0, 1])).toThrow(RangeError);
  });
});

describe('silhouette (cosine distance)', () => {
  it('matches a hand-computed example, a singleton scoring 0', () => {
    // x1 = (1, 0), x2 = (0.6, 0.8) in cluster 0; x3 = (0, 1) alone in cluster 1.
    // x1: a = 1 − 0.6 = 0.4, b = 1 − 0 = 1 → 0.6; x2: a = 0.4, b = 1 − 0.8 = 0.2 → −0.5; x3: 0
    const sim = similarityMatrix([[1, 0], [0.6, 0.8], [0, 1]]);
    close(silhouetteFromSimilarity(sim, [0, 0, 1], 2), (0.6 - 0.5) / 3);
  });

  it('is 1 for tight, orthogonal clusters and 0 for a single cluster', () => {
    const sim = similarityMatrix([[1, 0], [1, 0], [0, 1], [0, 1]]);
    close(silhouetteFromSimilarity(sim, [0, 0, 1, 1], 2), 1);
    close(silhouetteFromSimilarity(sim, [0, 0, 0, 0], 1), 0);
  });
});

describe('classTfIdf', () => {
  it('ranks the terms that set a class apart first, shared terms down', () => {
    const [a, b] = classTfIdf([
      [['price', 'order'], ['price', 'discount'], ['price', 'order']],
      [['delivery', 'order'], ['delivery', 'late'], ['order']],
    ]);
    expect(a![0]).toBe('price');
    expect(b![0]).toBe('delivery');
    // "order" is frequent in both classes: below each class's own term
    expect(a!.indexOf('order')).toBeGreaterThan(0);
    expect(b!.indexOf('order')).toBeGreaterThan(0);
  });

  it('puts terms of two or more documents before single-document ones, and ignores blanks', () => {
    const [a] = classTfIdf([[['rare', 'rare', 'rare', 'shared'], ['shared', ' ', '']], [['other']]]);
    expect(a).toEqual(['shared', 'rare']);
  });
});

// Three clear topics × 10 short inquiries, in English and in Chinese.
const EN: Record<string, string[]> = {
  delivery: ['delivery time?', 'delivery date please', 'late delivery', 'delivery delayed again', 'express delivery', 'delivery status', 'delivery to Shanghai', 'fast delivery', 'delivery schedule', 'delivery tracking'],
  price: ['price list', 'price per unit', 'lower price', 'price quote', 'best price', 'price too high', 'price with tax', 'price for bulk orders', 'price discount', 'price negotiation'],
  warranty: ['warranty period', 'warranty repair', 'warranty claim', 'extended warranty', 'warranty coverage', 'warranty terms', 'how long is the warranty', 'warranty for the motor', 'warranty replacement', 'warranty card'],
};
const ZH: Record<string, string[]> = {
  交货: ['交货期多久', '交货期太长', '交货时间', '尽快交货', '交货日期', '交货延迟了', '交货地点', '分批交货', '交货进度', '按时交货'],
  价格: ['价格多少', '价格优惠吗', '价格太贵', '价格含税吗', '最低价格', '价格表', '批量价格', '价格调整', '价格谈判', '报个价格'],
  保修: ['保修多久', '保修期', '保修范围', '延长保修', '保修条款', '免费保修吗', '保修卡', '保修维修', '整机保修', '保修政策'],
};

function toySet(topics: Record<string, string[]>, vectorize: (texts: string[]) => number[][] = themeVectors) {
  const gold: string[] = [];
  const items: ThemeItem[] = [];
  for (const [topic, texts] of Object.entries(topics)) {
    for (const text of texts) {
      gold.push(topic);
      items.push({ id: `q${items.length}`, text, terms: tokenize(text).map((t) => t.norm).filter((w) => w.length >= 2) });
    }
  }
  return { gold, items, vectors: vectorize(items.map((i) => i.text)) };
}

function predicted(n: number, clusters: { memberIds: string[] }[]): number[] {
  const out = new Array<number>(n).fill(-1);
  clusters.forEach((c, ci) => c.memberIds.forEach((id) => (out[Number(id.slice(1))] = ci)));
  return out;
}

describe('clusterThemes on toy inquiries', () => {
  const cases = [
    ['English', EN, 'window TF-IDF', themeVectors],
    ['Chinese', ZH, 'window TF-IDF', themeVectors],
    ['English', EN, 'hashing provider', (t: string[]) => hashingThemeVectors(t)],
    ['Chinese', ZH, 'hashing provider', (t: string[]) => hashingThemeVectors(t)],
  ] as const;
  for (const [name, topics, vectorName, vectorize] of cases) {
    it(`recovers three ${name} topics (${vectorName} vectors) and labels them with their topic words`, () => {
      const { gold, items, vectors } = toySet(topics, (t) => vectorize(t));
      const result = clusterThemes(items, vectors, { seed: 7 });
      const pred = predicted(items.length, result.clusters);
      expect(pred.every((p) => p >= 0)).toBe(true);
      expect(nmi(gold, pred)).toBeGreaterThan(0.8);
      expect(result.quality).toBeGreaterThan(0);
      for (const topic of Object.keys(topics)) {
        // the cluster holding most of the topic's inquiries is labelled with the topic word
        const counts = new Map<number, number>();
        gold.forEach((g, i) => g === topic && counts.set(pred[i]!, (counts.get(pred[i]!) ?? 0) + 1));
        const main = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
        const cluster = result.clusters[main]!;
        expect(cluster.label).toContain(topic);
        expect(cluster.terms).toContain(topic);
        expect(cluster.representativeIds).toHaveLength(3);
        for (const id of cluster.representativeIds) expect(cluster.memberIds).toContain(id);
      }
      // every item in exactly one cluster, clusters largest first
      const all = result.clusters.flatMap((c) => c.memberIds);
      expect(new Set(all).size).toBe(items.length);
      expect(all).toHaveLength(items.length);
      const sizes = result.clusters.map((c) => c.memberIds.length);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    });
  }

  it('is deterministic for a seed (vectors and clusters)', () => {
    const a = toySet(EN);
    const b = toySet(EN);
    expect(b.vectors).toEqual(a.vectors);
    const r1 = clusterThemes(a.items, a.vectors, { seed: 3 });
    const r2 = clusterThemes(b.items, b.vectors, { seed: 3 });
    expect(r2).toEqual(r1);
  });

  it('keeps k within kMin..kMax', () => {
    const { items, vectors } = toySet(ZH);
    const r = clusterThemes(items, vectors, { seed: 1, kMin: 5, kMax: 6 });
    expect(r.k).toBeGreaterThanOrEqual(5);
    expect(r.k).toBeLessThanOrEqual(6);
    expect(r.clusters).toHaveLength(r.k);
  });

  it('clusters vectors of any provider, long ones through the LSA step', () => {
    // 300-dimensional one-hot-ish vectors: three groups on disjoint coordinates
    const items: ThemeItem[] = [];
    const vectors: number[][] = [];
    for (let g = 0; g < 3; g++) {
      for (let i = 0; i < 8; i++) {
        const v = new Array<number>(300).fill(0);
        v[g * 100 + i] = 1;
        v[g * 100 + 50] = 2;
        items.push({ id: `q${items.length}`, text: `g${g} ${i}`, terms: [`group${g}`] });
        vectors.push(v);
      }
    }
    const r = clusterThemes(items, vectors, { seed: 1 });
    const gold = items.map((_, i) => Math.floor(i / 8));
    expect(nmi(gold, predicted(items.length, r.clusters))).toBeGreaterThan(0.99);
    expect(r.clusters.map((c) => c.label).sort()).toEqual(['group0', 'group1', 'group2']);
  });
});

describe('clusterThemes on tiny and degenerate input', () => {
  const item = (id: string, text: string, terms: string[] = []): ThemeItem => ({ id, text, terms });

  it('no items: no clusters', () => {
    expect(clusterThemes([], [])).toEqual({ clusters: [], k: 0, quality: 0 });
  });

  it('one or two items: one cluster', () => {
    const one = clusterThemes([item('a', 'price?', ['price'])], [[1, 0]]);
    expect(one.k).toBe(1);
    expect(one.clusters).toEqual([{ label: 'price', terms: ['price'], memberIds: ['a'], representativeIds: ['a'] }]);
    const two = clusterThemes([item('a', 'price?'), item('b', 'delivery?')], [[1, 0], [0, 1]]);
    expect(two.clusters).toHaveLength(1);
    expect(two.clusters[0]!.memberIds).toEqual(['a', 'b']);
    expect(two.clusters[0]!.representativeIds.sort()).toEqual(['a', 'b']);
  });

  it('duplicate texts: one cluster per distinct vector, one representative per distinct text', () => {
    const items = [
      ...Array.from({ length: 5 }, (_, i) => item(`p${i}`, 'What is the price?', ['price'])),
      ...Array.from({ length: 4 }, (_, i) => item(`d${i}`, 'When is delivery?', ['delivery'])),
    ];
    const vectors = items.map((it) => (it.id.startsWith('p') ? [1, 0, 0] : [0, 1, 0]));
    const r = clusterThemes(items, vectors, { seed: 5 });
    expect(r.k).toBe(2);
    expect(r.clusters.map((c) => c.memberIds.length)).toEqual([5, 4]);
    expect(r.clusters[0]!.representativeIds).toHaveLength(1);
    expect(r.clusters[0]!.label).toBe('price');
    // all the same: one cluster
    const same = clusterThemes(items.slice(0, 5), vectors.slice(0, 5));
    expect(same.clusters).toHaveLength(1);
    expect(same.clusters[0]!.memberIds).toHaveLength(5);
  });

  it('empty terms: the label falls back to a representative text', () => {
    const items = [item('a', 'delivery time for the order'), item('b', 'delivery time please'), item('c', 'delivery time?')];
    const r = clusterThemes(items, [[1, 0.1], [1, 0.2], [1, 0.15]]);
    for (const c of r.clusters) {
      expect(c.terms).toEqual([]);
      expect(c.label.length).toBeGreaterThan(0);
      expect(items.map((i) => i.text)).toContain(c.label);
    }
  });

  it('texts without features (zero vectors) form a cluster of their own', () => {
    const items = ['?', '!!', ...EN.price!, ...EN.delivery!].map((t, i) => item(`q${i}`, t, t.split(' ').filter((w) => w.length > 3)));
    const vectors = hashingThemeVectors(items.map((i) => i.text));
    expect(vectors[0]!.every((x) => x === 0)).toBe(true);
    const r = clusterThemes(items, vectors, { seed: 2 });
    const own = r.clusters.find((c) => c.memberIds.includes('q0'))!;
    expect(own.memberIds).toEqual(['q0', 'q1']);
    expect(r.clusters).toHaveLength(r.k + 1);
  });

  it('rejects items and vectors of different lengths', () => {
    expect(() => clusterThemes([item('a', 'x')], [])).toThrow(RangeError);
    expect(() => clusterThemes([item('a', 'x'), item('b', 'y')], [[1, 0], [1]])).toThrow(RangeError);
  });
});

describe('theme vectors (window TF-IDF + LSA)', () => {
  it('features: Latin words with stop words kept, their boundary-marked 3-grams, Han characters, bigrams and jieba words', () => {
    const f = themeFeatures('How do I get PLC交货期?');
    expect(f).toEqual(expect.arrayContaining(['w:how', 'w:do', 'w:get', 'w:plc', 't:<pl', 't:plc', 't:lc>', 'c:交', 'c:交货', 'c:货期', 'j:交货期']));
    // a one-letter word has no word feature; full-width letters are folded
    expect(themeFeatures('Ｉ ＰＬＣ')).toEqual(['w:plc', 't:<pl', 't:plc', 't:lc>']);
    expect(themeFeatures('')).toEqual([]);
    expect(themeFeatures('😀 !!')).toEqual([]);
  });

  it('drops features found in one text only and weighs rarer shared features higher', () => {
    const { rows, dims } = themeTfIdf(['price list', 'price quote', 'delivery list', 'warranty']);
    // "warranty" and its 3-grams occur once: the last text has no feature left
    expect(rows[3]!.idx.length).toBe(0);
    expect(dims).toBeGreaterThan(0);
    for (const r of rows.slice(0, 3)) {
      const norm = Math.sqrt(r.val.reduce((a, v) => a + v * v, 0));
      expect(norm).toBeCloseTo(1, 10);
    }
  });

  it('gives unit rows, zero rows for texts without shared features, and the same vectors for the same seed', () => {
    const texts = [...EN.price!, ...EN.delivery!, '🙂'];
    const a = themeVectors(texts, { seed: 3 });
    const b = themeVectors(texts, { seed: 3 });
    expect(a).toEqual(b);
    for (const v of a.slice(0, -1)) expect(Math.hypot(...v)).toBeCloseTo(1, 8);
    expect(a.at(-1)!.every((x) => x === 0)).toBe(true);
    // price texts are closer to each other than to delivery texts
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(a[0]!, a[1]!)).toBeGreaterThan(dot(a[0]!, a[10]!));
  });
});
