/**
 * A server action as a browser sends it: the notes page's add-note form, posted the way
 * Next's router posts it (JavaScript on: `Next-Action` header, arguments encoded by React's
 * own `encodeReply`) or as a plain form post (JavaScript off: the hidden `$ACTION_ID_…`
 * field the page renders). Both go through the proxy and then `requireActionSession`.
 */
import { createRequire } from 'node:module';
import type { RequestOptions } from './transport';

type EncodeReply = (value: unknown) => Promise<string | FormData>;

const { encodeReply } = createRequire(import.meta.url)('next/dist/compiled/react-server-dom-webpack/client.node') as { encodeReply: EncodeReply };

export type ActionStyle = 'fetch' | 'form';

const FORMS = /<form\b[\s\S]*?<\/form>/g;
const ACTION_ID = /name="\$ACTION_ID_([0-9a-f]+)"/;

/** The action id of the page's form that has a field named `field`, or undefined. */
export function actionIdOf(html: string, field: string): string | undefined {
  for (const [form] of html.matchAll(FORMS)) {
    if (form.includes(`name="${field}"`)) return ACTION_ID.exec(form)?.[1];
  }
  return undefined;
}

/** The request that submits `fields` to the action `actionId`, in one of the two styles. */
export async function actionRequest(actionId: string, fields: Record<string, string>, style: ActionStyle, origin: string): Promise<RequestOptions> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const sameOrigin = { origin, 'sec-fetch-site': 'same-origin' };
  if (style === 'form') {
    form.append(`$ACTION_ID_${actionId}`, '');
    return { method: 'POST', body: form, headers: { ...sameOrigin, accept: 'text/html', 'sec-fetch-mode': 'navigate' } };
  }
  return { method: 'POST', body: await encodeReply([form]), headers: { ...sameOrigin, accept: 'text/x-component', 'next-action': actionId, 'sec-fetch-mode': 'cors' } };
}
