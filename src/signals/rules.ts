import { randomUUID } from 'node:crypto';
import { getRepContact } from '../assignment/service.js';
import * as content from '../content/repo.js';
import type { Queryable } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import * as repo from './repo.js';
import { forgetRules } from './rule-cache.js';
import type { RuleDefinition } from './schemas.js';

export const ruleView = (r: repo.RuleRow) => ({
  id: r.id,
  version: r.version,
  ...r.definition,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const invalid = (field: string, message: string) => new AppError(400, 'validation_error', `${field}: ${message}`, { fields: [{ field, message }] });

/** What the schema cannot check alone: the named content item and fallback rep must be the tenant's own. */
async function checkReferences(q: Queryable, tenantId: string, def: RuleDefinition): Promise<void> {
  if ('itemId' in def.content && !(await content.findItem(q, tenantId, def.content.itemId))) {
    throw invalid('body.content.itemId', 'no content item with this id (POST /v1/content first)');
  }
  const repId = def.recipient.fallback?.repId;
  if (repId && !(await getRepContact(q, tenantId, repId))) throw invalid('body.recipient.fallback.repId', 'no rep with this id (PUT /v1/reps/:id first)');
}

export async function createRule(q: Queryable, tenantId: string, def: RuleDefinition) {
  await checkReferences(q, tenantId, def);
  const row = await repo.insertRule(q, tenantId, randomUUID(), def);
  forgetRules(tenantId);
  return ruleView(row);
}

export async function replaceRule(q: Queryable, tenantId: string, id: string, def: RuleDefinition) {
  if (!(await repo.findRule(q, tenantId, id))) throw notFound('rule');
  await checkReferences(q, tenantId, def);
  const row = await repo.updateRule(q, tenantId, id, def);
  forgetRules(tenantId);
  if (!row) throw notFound('rule');
  return ruleView(row);
}

export async function deleteRule(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  const deleted = await repo.deleteRule(q, tenantId, id);
  forgetRules(tenantId);
  return deleted;
}
