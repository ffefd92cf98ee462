import { DUPLICATE_WINDOW_MS, markDuplicates } from '../common/domain/duplicates';
import { ulidLowerBound } from '../common/domain/ids';
import { json, notFound } from '../common/http/responses';
import type { Click } from '../common/repos/clicks';
import { admin } from './context';

/**
 * A click as recorded, with its `duplicate` flag. The flag is decided here, off the redirect path,
 * from the visitor's clicks of the 30 s before it (the same rule attribution applies).
 */
export async function getClick(clickId: string) {
  const click = await admin.clicks.get(clickId);
  if (!click) throw notFound('The click');
  const occurredAtMs = Date.parse(click.occurredAt);
  const recent = await admin.clicks.ofVisitor(
    click.visitorId,
    ulidLowerBound(occurredAtMs - DUPLICATE_WINDOW_MS),
    click.clickId,
  );
  const marked = markDuplicates(recent.map((c) => ({ ...c, occurredAtMs: Date.parse(c.occurredAt) })));
  const duplicate = marked.find((c) => c.clickId === click.clickId)?.duplicate ?? false;
  return json(200, clickView(click, duplicate));
}

function clickView(click: Click, duplicate: boolean) {
  const { expiresAt: _ttl, ...recorded } = click;
  return { ...recorded, duplicate };
}
