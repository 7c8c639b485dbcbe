import { hasMessage, type Translate } from './i18n/index.js';

export const METRIC_KEYS = ['first_touch', 'quote_feedback', 'value_metrics', 'task_response', 'handover'] as const;

interface Metric {
  key: string;
  value: number | null;
  unit: 'rate' | 'hours';
  target: { min?: number; max?: number; withinHours?: number };
}

const pct = (v: number) => `${Math.round(v * 1000) / 10} %`;

/** Labels and figures of the health metrics and funnel stages, in the page's language. */
export function formatters(t: Translate) {
  // A metric or stage this console has no words for yet shows its code.
  const known = (prefix: 'metric' | 'stage', key: string) => {
    const k = `${prefix}.${key}`;
    return hasMessage(k) ? t(k) : key;
  };
  const hours = (n: number) => t('rep.hours', { n: Math.round(n * 10) / 10 });
  return {
    metricKeys: METRIC_KEYS,
    metricLabel: (key: string) => known('metric', key),
    stageLabel: (key: string) => known('stage', key),
    metricValue: (m: Metric) => (m.value === null ? '—' : m.unit === 'hours' ? hours(m.value) : pct(m.value)),
    metricTarget: (m: Metric) => {
      const bound = m.target.min !== undefined ? `≥ ${m.unit === 'hours' ? hours(m.target.min) : pct(m.target.min)}` : m.target.max !== undefined ? `≤ ${m.unit === 'hours' ? hours(m.target.max) : pct(m.target.max)}` : '';
      return m.target.withinHours !== undefined ? `${bound} (${t('rep.within', { n: m.target.withinHours })})` : bound;
    },
  };
}
