import type { Queryable } from './db.js';

export interface TenantSettings {
  /** Mask phone numbers, ID-card and bank-card numbers and emails in stored transcripts (and so in anything sent to a model). */
  redactPii: boolean;
}

const DEFAULTS: TenantSettings = { redactPii: false };

export async function getTenantSettings(q: Queryable, tenantId: string): Promise<TenantSettings> {
  const rows = await q.query<{ redact_pii: boolean }>('SELECT redact_pii FROM tenant_settings WHERE tenant_id = $1', [tenantId]);
  return rows[0] ? { redactPii: rows[0].redact_pii } : { ...DEFAULTS };
}

export async function saveTenantSettings(q: Queryable, tenantId: string, s: TenantSettings): Promise<TenantSettings> {
  await q.query(
    `INSERT INTO tenant_settings (tenant_id, redact_pii) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET redact_pii = EXCLUDED.redact_pii, updated_at = now()`,
    [tenantId, s.redactPii],
  );
  return s;
}
